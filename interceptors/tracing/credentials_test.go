package tracing_test

import (
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// TestCredentialsNeverReachSpans sends credentials every way a caller can, with every option
// that copies call data into spans turned on, and looks for them in everything recorded.
func TestCredentialsNeverReachSpans(t *testing.T) {
	const secret = "s3cr3t"
	tr := newTraces(t)
	everything := []tracing.Option{
		tracing.WithMessageEvents(),
		tracing.WithBaggageAttributes("authorization", "cookie", "Cookie", "set-cookie", "proxy-authorization", "grpc-token", "tenant"),
	}
	h := startTraced(t, tr, everything, everything)

	ctx := metadata.NewOutgoingContext(testContext(t), metadata.Pairs(
		"authorization", "Bearer "+secret,
		"cookie", "session="+secret,
		"proxy-authorization", "Basic "+secret,
		"x-api-key", secret,
		"grpc-token", secret,
		"token-bin", secret,
	))
	ctx = testsrv.WithBaggage(t, ctx, "authorization", secret, "cookie", secret, "Cookie", secret,
		"set-cookie", secret, "proxy-authorization", secret, "grpc-token", secret, "tenant", "acme")
	for _, code := range []codes.Code{codes.OK, codes.Unauthenticated} {
		if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{Message: "hi", FailCode: int32(code)}); status.Code(err) != code {
			t.Fatalf("Echo with fail_code %d: %v", code, err)
		}
	}

	spans := tr.ended(t, 4)
	for _, span := range spans {
		for _, where := range recorded(span) {
			if strings.Contains(where, secret) {
				t.Errorf("%v span %q records a credential: %s", span.SpanKind(), span.Name(), where)
			}
		}
		if got := attrs(span.Attributes())["baggage.tenant"]; got != "acme" {
			t.Errorf("%v span baggage.tenant = %q, want acme: the allowlist works, it only refuses credentials", span.SpanKind(), got)
		}
	}
}

// recorded lists every string a span holds, each with where it is.
func recorded(span sdktrace.ReadOnlySpan) []string {
	var out []string
	add := func(where string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			out = append(out, where+" "+string(kv.Key)+"="+kv.Value.String())
		}
	}
	out = append(out, "name "+span.Name(), "status "+span.Status().Description)
	add("attribute", span.Attributes())
	for _, e := range span.Events() {
		out = append(out, "event "+e.Name)
		add("event "+e.Name, e.Attributes)
	}
	for _, l := range span.Links() {
		add("link", l.Attributes)
	}
	out = append(out, "tracestate "+span.SpanContext().TraceState().String())
	return out
}

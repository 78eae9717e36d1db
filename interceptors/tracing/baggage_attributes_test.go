package tracing_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/trace"
)

func TestBaggageAllowlistBecomesSpanAttributes(t *testing.T) {
	tr := newTraces(t)
	allow := []tracing.Option{
		tracing.WithBaggageAttributes("tenant", "missing"),
		tracing.WithBaggageAttributes("tenant", "authorization", "Cookie", "grpc-x"), // credentials are refused
	}
	h := startTraced(t, tr, allow, allow)
	ctx := testsrv.WithBaggage(t, testContext(t),
		"tenant", "acme", "user", "alice", "authorization", "Bearer s3cr3t", "Cookie", "s3cr3t", "grpc-x", "s3cr3t")
	if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	for _, span := range tr.ended(t, 2) {
		got := map[string]string{}
		for k, v := range attrs(span.Attributes()) {
			if strings.HasPrefix(k, "baggage.") {
				got[k] = v
			}
		}
		if diff := cmp.Diff(map[string]string{"baggage.tenant": "acme"}, got); diff != "" {
			t.Errorf("%v span baggage attributes (-want +got):\n%s", span.SpanKind(), diff)
		}
	}
}

func TestWithoutAllowlistNoBaggageAttributes(t *testing.T) {
	tr := newTraces(t)
	h := startTraced(t, tr, nil, nil)
	if _, err := h.Demo().Echo(testsrv.WithBaggage(t, testContext(t), "tenant", "acme"), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	for _, kind := range []trace.SpanKind{trace.SpanKindClient, trace.SpanKindServer} {
		span := only(t, tr.ended(t, 2), kind, echoMethod)
		if _, ok := attrs(span.Attributes())["baggage.tenant"]; ok {
			t.Errorf("%v span has baggage.tenant without an allowlist", kind)
		}
	}
}

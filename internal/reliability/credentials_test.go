package reliability_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// secretMarker starts every credential value the tests send; it must appear in no output.
const secretMarker = "SECRET-"

// credentialMetadata are metadata that carry credentials, or look like they do.
var credentialMetadata = []string{
	"authorization", "Bearer " + secretMarker + "bearer",
	"proxy-authorization", "Basic " + secretMarker + "basic",
	"cookie", "session=" + secretMarker + "cookie",
	"x-api-key", secretMarker + "api-key",
	"grpc-token", secretMarker + "grpc-token",
	"grpc-authorization", secretMarker + "grpc-authorization",
	"token-bin", secretMarker + "token-bin",
}

// credentialKeys are the keys of credentialMetadata.
func credentialKeys() []string {
	keys := make([]string, 0, len(credentialMetadata)/2)
	for i := 0; i < len(credentialMetadata); i += 2 {
		keys = append(keys, credentialMetadata[i])
	}
	return keys
}

// TestCredentialsReachNoOutput turns on every option that copies call data into output, on
// both sides: payloads, start lines, message events, a metadata allowlist that lists the
// credential keys anyway, baggage allowlists. It makes calls of all four kinds, succeeding and
// failing, with credentials in the metadata, and greps every log line, every string
// of every span (name, status, attributes, events, links, trace state, resource) and every
// label and exemplar label of every metric for them. It also checks that each credential
// reached the handler and that the benign allowlisted values did reach the output, so that
// the options were on.
func TestCredentialsReachNoOutput(t *testing.T) {
	tracingOptions := []tracing.Option{
		tracing.WithMessageEvents(),
		tracing.WithBaggageAttributes("tenant", "authorization", "cookie", "grpc-token"),
	}
	loggingOptions := []logging.Option{
		logging.WithStartLine(),
		logging.WithPayloads(nil),
		logging.WithMetadataFields(append(credentialKeys(), "x-request-id")...),
		logging.WithBaggageFields("tenant"),
	}
	var received receivedKeys
	s := startStack(t, stackConfig{
		serverTracing: tracingOptions, clientTracing: tracingOptions,
		serverLogging: loggingOptions, clientLogging: loggingOptions,
		hook: received.hook,
	})

	ctx := metadata.AppendToOutgoingContext(testContext(t), append(credentialMetadata, "x-request-id", "request-1")...)
	ctx = testsrv.WithBaggage(t, ctx, "tenant", "acme")
	for _, kind := range callKinds {
		if err := kind.call(ctx, s.Demo()); err != nil {
			t.Fatalf("%s: %v", kind.name, err)
		}
	}
	if _, err := s.Demo().Echo(ctx, &demov1.EchoRequest{Message: "fail", FailCode: int32(codes.Unauthenticated)}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("failing Echo: %v", err)
	}
	const calls = 5
	spans := s.ended(t, 2*calls)

	for _, key := range credentialKeys() {
		if !received.has(key) {
			t.Errorf("the handler never received %q: the test proves nothing about it", key)
		}
	}
	for side, log := range map[string]*lineSink{"server": s.ServerLog, "client": s.ClientLog} {
		text := log.Text()
		for _, line := range log.Lines() {
			if strings.Contains(line, secretMarker) {
				t.Errorf("%s log line with a credential: %s", side, line)
			}
		}
		for _, want := range []string{`"grpc.request.metadata.x-request-id":"request-1"`, `"baggage.tenant":"acme"`, `"msg":"started call"`, `"grpc.request.content":{`} {
			if !strings.Contains(text, want) {
				t.Errorf("the %s log lacks %s, so an option was not on:\n%s", side, want, text)
			}
		}
	}
	for _, span := range spans {
		for _, where := range recorded(span) {
			if strings.Contains(where, secretMarker) {
				t.Errorf("%v span %q records a credential: %s", span.SpanKind(), span.Name(), where)
			}
		}
		if attrs(span)["baggage.tenant"] != "acme" || !hasMessageEvents(span) {
			t.Errorf("%v span %q has baggage.tenant %q and message events %v: an option was not on",
				span.SpanKind(), span.Name(), attrs(span)["baggage.tenant"], hasMessageEvents(span))
		}
	}
	for _, label := range metricLabels(t, s.Registry) {
		if strings.Contains(label, secretMarker) {
			t.Errorf("metric label with a credential: %s", label)
		}
	}
}

// TestCredentialNamedBaggageReachesNoOutput: baggage members named like credentials
// (authorization, cookie, grpc-…) reach no span and no log line even when both allowlists name
// them, while a benign member on the same allowlists reaches both: one policy across the stack.
func TestCredentialNamedBaggageReachesNoOutput(t *testing.T) {
	keys := []string{"authorization", "cookie", "grpc-token", "tenant"}
	s := startStack(t, stackConfig{
		serverTracing: []tracing.Option{tracing.WithBaggageAttributes(keys...)},
		clientTracing: []tracing.Option{tracing.WithBaggageAttributes(keys...)},
		serverLogging: []logging.Option{logging.WithBaggageFields(keys...)},
		clientLogging: []logging.Option{logging.WithBaggageFields(keys...)},
	})
	ctx := testsrv.WithBaggage(t, testContext(t), "authorization", secretMarker+"authorization", "cookie", secretMarker+"cookie",
		"grpc-token", secretMarker+"grpc", "tenant", "acme")
	if err := callKinds[0].call(ctx, s.Demo()); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	for _, span := range s.ended(t, 2) {
		for _, where := range recorded(span) {
			if strings.Contains(where, secretMarker) {
				t.Errorf("%v span records a credential: %s", span.SpanKind(), where)
			}
		}
		if got := attrs(span)["baggage.tenant"]; got != "acme" {
			t.Errorf("%v span has baggage.tenant %q, want acme: the allowlist was not on", span.SpanKind(), got)
		}
	}
	for side, log := range map[string]*lineSink{"server": s.ServerLog, "client": s.ClientLog} {
		lines := finishLines(t, log)
		if len(lines) != 1 || lines[0]["baggage.tenant"] != "acme" {
			t.Errorf("%s log %q, want one finish line with baggage.tenant acme", side, log.Text())
		}
		if strings.Contains(log.Text(), secretMarker) {
			t.Errorf("%s log with a credential: %s", side, log.Text())
		}
	}
}

// receivedKeys is a demo hook that records the metadata keys the handlers received.
type receivedKeys struct {
	mu   sync.Mutex
	keys map[string]bool
}

func (r *receivedKeys) hook(ctx context.Context, _, _ string) (context.Context, func(error)) {
	md, _ := metadata.FromIncomingContext(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.keys == nil {
		r.keys = map[string]bool{}
	}
	for k := range md {
		r.keys[k] = true
	}
	return ctx, func(error) {}
}

func (r *receivedKeys) has(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.keys[key]
}

func hasMessageEvents(span sdktrace.ReadOnlySpan) bool {
	for _, e := range span.Events() {
		if e.Name == "rpc.message" {
			return true
		}
	}
	return false
}

// metricLabels lists every label of every series, exemplar labels included, as
// family{name="value"}.
func metricLabels(t *testing.T, g prometheus.Gatherer) []string {
	t.Helper()
	var out []string
	for _, mf := range gather(t, g) {
		for _, m := range mf.GetMetric() {
			out = append(out, mf.GetName()+seriesKey(m))
			if e := m.GetCounter().GetExemplar(); e != nil {
				for _, l := range e.GetLabel() {
					out = append(out, mf.GetName()+" exemplar "+l.GetName()+"="+l.GetValue())
				}
			}
			for _, b := range m.GetHistogram().GetBucket() {
				if e := b.GetExemplar(); e != nil {
					for _, l := range e.GetLabel() {
						out = append(out, mf.GetName()+" exemplar "+l.GetName()+"="+l.GetValue())
					}
				}
			}
		}
	}
	return out
}

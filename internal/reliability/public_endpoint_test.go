package reliability_test

import (
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// TestPublicEndpointDropsUntrustedBaggageEverywhere calls a server whose tracing is a public
// endpoint, with a root span and baggage, through the whole stack; the handler calls onwards
// from its own context. The caller's baggage reaches neither the handler's context, nor the
// server's spans and log lines, nor the onward call; the server span is a new root, linked to
// the caller's span, and the onward call continues the new trace. The caller's trace id shows
// in no server output, exemplars included.
func TestPublicEndpointDropsUntrustedBaggageEverywhere(t *testing.T) {
	const untrusted = "mallory"
	var onward onwardCalls
	s := startStack(t, stackConfig{
		serverTracing: []tracing.Option{tracing.WithPublicEndpoint(), tracing.WithBaggageAttributes("user")},
		clientTracing: []tracing.Option{tracing.WithBaggageAttributes("user")},
		serverLogging: []logging.Option{logging.WithBaggageFields("user")},
		clientLogging: []logging.Option{logging.WithBaggageFields("user")},
		hook:          onward.hook,
	})
	onward.client = s.Demo()

	ctx, root := s.Provider.Tracer("caller").Start(testsrv.WithBaggage(t, testContext(t), "user", untrusted), "caller")
	if _, err := s.Demo().Echo(ctx, &demov1.EchoRequest{Message: hostileMessage}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	root.End()
	caller := root.SpanContext().TraceID()

	handler, leaf := onward.seen(t)
	if len(handler) != 0 || len(leaf) != 0 {
		t.Errorf("the untrusted baggage reached the handler (%v) or the onward call (%q)", handler, leaf)
	}
	// The caller's span and its client span; the public server span; the onward client span,
	// and the onward server span, a new root too (the same server: a public endpoint).
	spans := s.ended(t, 5)
	var public sdktrace.ReadOnlySpan
	var callerClient trace.SpanContext
	for _, span := range spans {
		switch {
		case span.SpanKind() == trace.SpanKindServer && span.SpanContext().Equal(onward.handlerSpan):
			public = span
		case span.SpanKind() == trace.SpanKindClient && span.SpanContext().TraceID() == caller:
			callerClient = span.SpanContext()
		}
	}
	if public == nil {
		t.Fatalf("no server span is the one the handler saw, %v: %v", onward.handlerSpan, spanNames(spans))
	}
	if public.Parent().IsValid() || public.SpanContext().TraceID() == caller {
		t.Errorf("the public endpoint's span has parent %v in trace %v, want a new root outside the caller's trace %v",
			public.Parent(), public.SpanContext().TraceID(), caller)
	}
	if links := public.Links(); len(links) != 1 || !links[0].SpanContext.Equal(callerClient.WithRemote(true)) {
		t.Errorf("the public endpoint's span links to %v, want only the caller's client span %v", links, callerClient)
	}
	for _, span := range spans {
		if span.SpanContext().TraceID() == caller {
			continue // the caller's own spans
		}
		for _, where := range recorded(span) {
			if strings.Contains(where, untrusted) || strings.Contains(where, caller.String()) && !strings.HasPrefix(where, "link ") {
				t.Errorf("%v span %q records the untrusted baggage or the caller's trace: %s", span.SpanKind(), span.Name(), where)
			}
		}
	}
	if n := countTrace(spans, public.SpanContext().TraceID()); n != 2 {
		t.Errorf("the new trace has %d spans, want 2: the public server span and the onward client span", n)
	}

	serverLines := finishLines(t, s.ServerLog)
	if len(serverLines) != 2 {
		t.Fatalf("%d server finish lines, want 2: %s", len(serverLines), s.ServerLog.Text())
	}
	if got := serverLines[1]["trace_id"]; got != public.SpanContext().TraceID().String() {
		t.Errorf("the public call's server line has trace_id %v, want the new trace %v", got, public.SpanContext().TraceID())
	}
	if text := s.ServerLog.Text(); strings.Contains(text, untrusted) || strings.Contains(text, caller.String()) {
		t.Errorf("the server log carries the untrusted baggage or the caller's trace id:\n%s", text)
	}
	onwardLines := 0
	for _, line := range finishLines(t, s.ClientLog) {
		if line["trace_id"] == public.SpanContext().TraceID().String() {
			onwardLines++
			if line["baggage.user"] != nil {
				t.Errorf("the onward call's client line carries baggage.user %v", line["baggage.user"])
			}
		}
	}
	if onwardLines != 1 {
		t.Errorf("%d client lines of the new trace, want 1, the onward call's:\n%s", onwardLines, s.ClientLog.Text())
	}
	for _, label := range metricLabels(t, s.Registry) {
		if strings.HasPrefix(label, "grpc_server_") && strings.Contains(label, caller.String()) {
			t.Errorf("a server metric carries the caller's trace id: %s", label)
		}
	}
}

func countTrace(spans []sdktrace.ReadOnlySpan, id trace.TraceID) int {
	n := 0
	for _, s := range spans {
		if s.SpanContext().TraceID() == id {
			n++
		}
	}
	return n
}

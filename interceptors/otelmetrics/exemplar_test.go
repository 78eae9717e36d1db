package otelmetrics_test

import (
	"testing"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
)

// With grpcobs' tracing in the stack, each measurement carries its call's span as an exemplar,
// through the SDK's own exemplar reservoir, with no code in the handler: the server's duration
// links to the server span, the client's to the client span, of the same trace.
func TestExemplarsLinkToTheCallsSpans(t *testing.T) {
	s := startStack(t, stackConfig{traced: true})
	echo(t, s, codes.OK)

	spans := map[trace.SpanKind]trace.SpanContext{}
	for _, span := range s.spans.Ended() {
		spans[span.SpanKind()] = span.SpanContext()
	}
	if len(spans) != 2 {
		t.Fatalf("ended spans of kinds %v, want a server and a client span", spans)
	}
	ms := s.collect(t)
	for name, want := range map[string]trace.SpanContext{
		"rpc.server.call.duration": spans[trace.SpanKindServer],
		"rpc.client.call.duration": spans[trace.SpanKindClient],
	} {
		points := histogram(t, metricNamed(t, ms, name))
		if len(points) != 1 || len(points[0].Exemplars) != 1 {
			t.Fatalf("%s: %d points, want one with one exemplar", name, len(points))
		}
		ex := points[0].Exemplars[0]
		if trace.TraceID(ex.TraceID) != want.TraceID() || trace.SpanID(ex.SpanID) != want.SpanID() {
			t.Errorf("%s: exemplar of trace %x span %x, want the call's span, trace %s span %s", name, ex.TraceID, ex.SpanID, want.TraceID(), want.SpanID())
		}
		if ex.Value != points[0].Sum {
			t.Errorf("%s: exemplar value %v, want the measurement, %v", name, ex.Value, points[0].Sum)
		}
	}
}

// Without a sampled span there is nothing to link: the SDK's default (trace-based) filter
// takes no exemplar.
func TestNoExemplarWithoutASampledSpan(t *testing.T) {
	s := startStack(t, stackConfig{})
	echo(t, s, codes.OK)
	for _, m := range s.collect(t) {
		for _, p := range m.Data.(metricdata.Histogram[float64]).DataPoints {
			if len(p.Exemplars) != 0 {
				t.Errorf("%s: %d exemplars without a span, want none", m.Name, len(p.Exemplars))
			}
		}
	}
}

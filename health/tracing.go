package health

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// instrumentationName names the tracer of check runs.
const instrumentationName = "github.com/grpcobs/grpcobs/health"

// spanName is the name of the span of a check run. The check's name is an attribute, so
// that span names stay few.
const spanName = "health.check"

// Attribute keys of the span of a check run.
const (
	attrCheckName     = attribute.Key("health.check.name")
	attrCheckCritical = attribute.Key("health.check.critical")
)

// newTracer returns the tracer of check runs: tp's, or one that makes no spans.
func newTracer(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	return tp.Tracer(instrumentationName)
}

// spanOptions describe the span of a run of ck: internal, a root of its own (a run belongs
// to no request, whatever the context Start was given), named by attribute.
func spanOptions(ck *check) []trace.SpanStartOption {
	return []trace.SpanStartOption{
		trace.WithNewRoot(),
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(
			attrCheckName.String(ck.name),
			attrCheckCritical.Bool(ck.opts.critical),
		),
	}
}

// endSpan ends the span of a run, as an error when the run failed.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

package tracing

import (
	"context"
	"strings"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// The attributes of an attempt span: the first two named as gRFC A72 names them.
const (
	// attrPreviousAttempts is the grpc-previous-rpc-attempts header grpc-go sent with the
	// attempt: how many retries its retry policy made before it (transparent retries do not
	// count).
	attrPreviousAttempts = attribute.Key("previous-rpc-attempts")
	// attrTransparentRetry says grpc-go retried the attempt transparently: the previous
	// attempt never reached the server's handler.
	attrTransparentRetry = attribute.Key("transparent-retry")
	// attrAbandoned marks the span of an attempt grpc-go created but abandoned before making
	// it: it sent nothing.
	attrAbandoned = attribute.Key("grpcobs.attempt.abandoned")
)

// attemptSpanPrefix starts the name of an attempt span: "Attempt." and the method with its
// slash made a dot, as gRFC A72 names it ("Attempt.grpcobs.demo.v1.DemoService.Echo");
// abandonedSpanPrefix starts the name an abandoned attempt's span is renamed to.
const (
	attemptSpanPrefix   = "Attempt."
	abandonedSpanPrefix = "Abandoned"
)

// attemptMethod is how a method's spans start with WithAttemptSpans, when the stack follows
// the call's attempts: the call span is the logical operation (INTERNAL), each attempt span
// is a CLIENT span with the method's attributes, so that the server span of each attempt has
// a CLIENT parent, as service graphs need (docs/tracing.md).
type attemptMethod struct {
	name, abandonedName string
	start, logicalStart []trace.SpanStartOption
}

// newAttemptMethod is the attemptMethod of the method whose call spans are named callName and
// carry attrs.
func newAttemptMethod(callName string, attrs []attribute.KeyValue) *attemptMethod {
	name := attemptSpanPrefix + strings.ReplaceAll(callName, "/", ".")
	with := trace.WithAttributes(attrs...)
	return &attemptMethod{
		name:          name,
		abandonedName: abandonedSpanPrefix + name,
		start:         []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient), with},
		logicalStart:  []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal), with},
	}
}

var _ signal.AttemptReporter = (*reporter)(nil)

// StartAttempt starts the span of one attempt of the call, the child of the call's span, at
// the attempt's start, and injects its trace context and the baggage into the attempt's
// outgoing metadata (the call injected nothing: see Client.start), so the server span of each
// attempt is the child of that attempt's span. Only the grpcobs stack calls it, and only with
// WithAttemptSpans.
func (r *reporter) StartAttempt(ctx context.Context, start time.Time) (signal.AttemptEnder, context.Context) {
	c := r.core
	parent := ctx
	if trace.SpanFromContext(ctx) != r.span {
		// An interceptor inside the stack put a span of its own into the context.
		parent = trace.ContextWithSpan(ctx, r.span)
	}
	spanCtx, span := c.tracer.startAt(parent, r.attempt.name, r.attempt.start, start)
	carrier := c.newOutgoingCarrier()
	c.inject(spanCtx, carrier)
	ctx = injectOutgoing(ctx, carrier)
	c.releaseOutgoingCarrier(carrier)
	return &attemptSpan{core: c, method: r.attempt, span: span}, ctx
}

// attemptSpan is the span of one attempt.
type attemptSpan struct {
	core   *core
	method *attemptMethod
	span   trace.Span
}

// AttemptMade records the grpc-previous-rpc-attempts grpc-go sent, and whether the attempt
// is a transparent retry.
func (a *attemptSpan) AttemptMade(previous int, transparent bool) {
	a.span.SetAttributes(attrPreviousAttempts.Int(previous), attrTransparentRetry.Bool(transparent))
}

// AttemptEnded ends the span at the attempt's end, with the attempt's code and, when the
// status policy calls the code an error, an Error status with the status message.
func (a *attemptSpan) AttemptEnded(err error, end time.Time) {
	code := interceptors.Code(err)
	a.span.SetAttributes(a.core.statusAttributes(code)...)
	if a.core.policy.IsError(a.core.isClient, code) {
		a.span.SetStatus(otelcodes.Error, statusDescription(err, nil))
	}
	a.span.End(trace.WithTimestamp(end))
}

// AttemptAbandoned ends the span of an attempt grpc-go abandoned, renamed so that span-derived
// metrics keyed by span name count it apart from the attempts, and marked.
func (a *attemptSpan) AttemptAbandoned(end time.Time) {
	a.span.SetName(a.method.abandonedName)
	a.span.SetAttributes(attrAbandoned.Bool(true))
	a.span.End(trace.WithTimestamp(end))
}

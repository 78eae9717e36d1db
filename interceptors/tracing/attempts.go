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

// The attributes of an attempt span, named as gRFC A72 names them.
const (
	// attrPreviousAttempts is how many attempts of the call came before this one.
	attrPreviousAttempts = attribute.Key("previous-rpc-attempts")
	// attrTransparentRetry says grpc-go retried the attempt transparently: the previous
	// attempt never reached the server's handler.
	attrTransparentRetry = attribute.Key("transparent-retry")
)

// attemptSpanPrefix starts the name of an attempt span: "Attempt." and the method with its
// slash made a dot, as gRFC A72 names it ("Attempt.grpcobs.demo.v1.DemoService.Echo").
const attemptSpanPrefix = "Attempt."

// attemptSpanName is the name of the attempt spans of the method whose call spans are named
// callName.
func attemptSpanName(callName string) string {
	return attemptSpanPrefix + strings.ReplaceAll(callName, "/", ".")
}

var _ signal.AttemptReporter = (*reporter)(nil)

// cachedAttemptOptions are the start options of the first attempts, but their start time:
// cachedAttemptOptions[n] are those of the attempt after n others. grpc-go makes at most five
// attempts of a call; an interceptor inside the stack that retries may make more.
var cachedAttemptOptions = func() (opts [5][]trace.SpanStartOption) {
	for n := range opts {
		opts[n] = newAttemptOptions(n)
	}
	return opts
}()

func newAttemptOptions(previous int) []trace.SpanStartOption {
	return []trace.SpanStartOption{
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(attrPreviousAttempts.Int(previous)),
	}
}

// attemptStartOptions are the start options of attempt number (from 1), started at start.
func attemptStartOptions(number int, start time.Time) []trace.SpanStartOption {
	var opts []trace.SpanStartOption
	if previous := number - 1; previous < len(cachedAttemptOptions) {
		opts = cachedAttemptOptions[previous]
	} else {
		opts = newAttemptOptions(previous)
	}
	return append(opts[:len(opts):len(opts)], trace.WithTimestamp(start))
}

// StartAttempt starts the span of one attempt of the call, the child of the call's span, at
// the attempt's start, and injects its trace context and the baggage into the attempt's
// outgoing metadata (the call injected nothing: see Client.start), so the server span of each
// attempt is the child of that attempt's span. Only the grpcobs stack calls it, and only with
// WithAttemptSpans.
func (r *reporter) StartAttempt(ctx context.Context, number int, start time.Time) (signal.AttemptEnder, context.Context) {
	c := r.core
	parent := ctx
	if trace.SpanFromContext(ctx) != r.span {
		// An interceptor inside the stack put a span of its own into the context.
		parent = trace.ContextWithSpan(ctx, r.span)
	}
	spanCtx, span := c.tracer.start(parent, r.attemptName, attemptStartOptions(number, start))
	carrier := c.newOutgoingCarrier()
	c.inject(spanCtx, carrier)
	ctx = injectOutgoing(ctx, carrier)
	c.releaseOutgoingCarrier(carrier)
	return &attemptSpan{core: c, span: span}, ctx
}

// attemptSpan is the span of one attempt.
type attemptSpan struct {
	core *core
	span trace.Span
}

// AttemptBegan records whether the attempt is a transparent retry.
func (a *attemptSpan) AttemptBegan(transparent bool) {
	a.span.SetAttributes(attrTransparentRetry.Bool(transparent))
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

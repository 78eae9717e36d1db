package tracing

import (
	"context"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"

	"github.com/grpcobs/grpcobs/interceptors"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
)

// Client traces the calls a gRPC client makes. It is an interceptors.ClientReportable: put it
// first in interceptors.DialOptions.
type Client side

// NewClient returns the client side of tracing. Without options it traces every call, with
// the global tracer provider and W3C Trace Context and Baggage propagation.
func NewClient(opts ...Option) *Client { return (*Client)(newSide(opts, true)) }

// ClientReporter starts a CLIENT span, the child of the span in ctx, and injects its trace
// context and ctx's baggage into the outgoing metadata (keeping the metadata already there).
// A filtered or unsampled call gets no span and a no-op Reporter (never nil), but ctx's own
// trace context and baggage are still injected, so the trace goes on past it. Called by other
// interceptors than grpcobs', it does not know the connection, so the span has no
// server.address.
func (cl *Client) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return (*side)(cl).Report(ctx, meta, true)
}

// start starts a client call's span. From the grpcobs stack, the call has its connection (the
// span then carries the server.address and server.port of the target it was created with: the
// name the client dialled) and its start time (the span starts then and ends at that time
// plus the duration given to PostCall). When the stack follows the call's attempts, with
// WithAttemptSpans, a call whose span records injects nothing itself, since each attempt
// injects its own span's trace context (StartAttempt) into the context grpc-go builds the
// attempt's headers from.
func (c *core) startClient(ctx context.Context, call signal.Call) (interceptors.Reporter, context.Context) {
	meta, startTime, recorded := call.Meta, call.Start, call.Attempts != nil
	var span trace.Span
	var attempt *attemptMethod
	if c.traced(ctx, meta) {
		m := c.method(call)
		start := m.start
		if recorded && m.attempt != nil {
			// Each attempt has a CLIENT span: the call's is the logical operation's.
			attempt, start = m.attempt, m.attempt.logicalStart
		}
		ctx, span = c.tracer.startAt(ctx, m.name, start, startTime)
	}
	recording := span != nil && span.IsRecording()
	if !recording || attempt == nil {
		carrier := c.newOutgoingCarrier()
		c.inject(ctx, carrier)
		ctx = injectOutgoing(ctx, carrier)
		c.releaseOutgoingCarrier(carrier)
	}
	if !recording {
		return mw.NoopReporter{}, ctx
	}
	if len(c.baggage) > 0 {
		if attrs := appendBaggageAttributes(nil, baggage.FromContext(ctx), c.baggage); len(attrs) > 0 {
			span.SetAttributes(attrs...)
		}
	}
	return &reporter{core: c, span: span, start: startTime, attempt: attempt}, ctx
}

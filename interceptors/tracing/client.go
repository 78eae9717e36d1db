package tracing

import (
	"context"

	"github.com/grpcobs/grpcobs/interceptors"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
)

// Client traces the calls a gRPC client makes. It is an interceptors.ClientReportable: put it
// first in interceptors.DialOptions.
type Client struct {
	core *core
}

var _ interceptors.ClientReportable = (*Client)(nil)

// NewClient returns the client side of tracing. Without options it traces every call, with
// the global tracer provider and W3C Trace Context and Baggage propagation.
func NewClient(opts ...Option) *Client {
	return &Client{core: newCore(opts, true)}
}

// clientCall is one traced client call: its reporter, and the carrier its injection used, in
// one allocation.
type clientCall struct {
	reporter
	carrier outgoingCarrier
}

// ClientReporter starts a CLIENT span, the child of the span in ctx, and injects its trace
// context and ctx's baggage into the outgoing metadata (keeping the metadata already there).
// A filtered call gets no span and a nil Reporter, but ctx's own trace context and baggage are
// still injected, so the trace goes on past it.
func (cl *Client) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	c := cl.core
	call := &clientCall{reporter: reporter{core: c}}
	var span trace.Span
	if c.traced(ctx, meta) {
		m := c.method(meta)
		ctx, span = c.tracer.start(ctx, m.name, m.start)
	}
	c.propagator.Inject(ctx, &call.carrier)
	ctx = injectOutgoing(ctx, &call.carrier)
	if span == nil || !span.IsRecording() {
		return nil, ctx
	}
	if len(c.baggage) > 0 {
		if attrs := appendBaggageAttributes(nil, baggage.FromContext(ctx), c.baggage); len(attrs) > 0 {
			span.SetAttributes(attrs...)
		}
	}
	call.span = span
	return &call.reporter, ctx
}

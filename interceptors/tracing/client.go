package tracing

import (
	"context"

	"github.com/grpcobs/grpcobs/interceptors"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// Client traces the calls a gRPC client makes. It is an interceptors.ClientReportable: put it
// first in interceptors.DialOptions.
type Client struct {
	core *core
}

var _ interceptors.ConnReportable = (*Client)(nil)

// NewClient returns the client side of tracing. Without options it traces every call, with
// the global tracer provider and W3C Trace Context and Baggage propagation.
func NewClient(opts ...Option) *Client {
	return &Client{core: newCore(opts, true)}
}

// IgnoresMessageDurations tells the grpcobs stack that tracing does not read message durations
// (see interceptors.MessageDurationIgnorer), so the stack need not time each message.
func (*Client) IgnoresMessageDurations() bool { return true }

// ClientReporter starts a CLIENT span, the child of the span in ctx, and injects its trace
// context and ctx's baggage into the outgoing metadata (keeping the metadata already there).
// A filtered call gets no span and a nil Reporter, but ctx's own trace context and baggage are
// still injected, so the trace goes on past it. Without the connection, the span has no
// server.address: the grpcobs interceptors call ClientReporterForConn instead.
func (cl *Client) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return cl.ClientReporterForConn(ctx, meta, nil)
}

// ClientReporterForConn is ClientReporter for a call on cc: the span also carries the
// server.address and server.port of the target cc was created with ("dns:///host:443" and
// "host:443" are host and 443; a Unix socket is its path), the name the client dialled.
func (cl *Client) ClientReporterForConn(ctx context.Context, meta interceptors.CallMeta, cc *grpc.ClientConn) (interceptors.Reporter, context.Context) {
	c := cl.core
	var span trace.Span
	if c.traced(ctx, meta) {
		m := c.method(meta, cc)
		ctx, span = c.tracer.start(ctx, m.name, m.start)
	}
	carrier := c.newOutgoingCarrier()
	c.inject(ctx, carrier)
	ctx = injectOutgoing(ctx, carrier)
	c.releaseOutgoingCarrier(carrier)
	if span == nil || !span.IsRecording() {
		return nil, ctx
	}
	if len(c.baggage) > 0 {
		if attrs := appendBaggageAttributes(nil, baggage.FromContext(ctx), c.baggage); len(attrs) > 0 {
			span.SetAttributes(attrs...)
		}
	}
	return &reporter{core: c, span: span}, ctx
}

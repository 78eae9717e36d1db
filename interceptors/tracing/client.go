package tracing

import (
	"context"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"

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

var (
	_ interceptors.ClientReportable = (*Client)(nil)
	_ signal.ClientStarter          = (*Client)(nil)
)

// NewClient returns the client side of tracing. Without options it traces every call, with
// the global tracer provider and W3C Trace Context and Baggage propagation.
func NewClient(opts ...Option) *Client {
	return &Client{core: newCore(opts, true)}
}

// SignalTraits tells the grpcobs stack to run tracing first, and that it reads no message
// durations. It is for the stack; it is not an extension point.
func (cl *Client) SignalTraits() signal.Traits { return cl.core.traits() }

// ClientReporter starts a CLIENT span, the child of the span in ctx, and injects its trace
// context and ctx's baggage into the outgoing metadata (keeping the metadata already there).
// A filtered or unsampled call gets no span and a no-op Reporter (never nil), but ctx's own
// trace context and baggage are still injected, so the trace goes on past it. Called by other
// interceptors than grpcobs', it does not know the connection, so the span has no
// server.address.
func (cl *Client) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return cl.start(ctx, meta, nil, time.Time{}, false)
}

// StartClientCall is ClientReporter for the grpcobs stack, which gives the connection and the
// call's start time. The span also carries the server.address and server.port of the target
// the connection was created with ("dns:///host:443" and "host:443" are host and 443; a Unix
// socket is its path), the name the client dialled; it starts at the stack's start time and
// ends at that time plus the duration the stack gives PostCall.
func (cl *Client) StartClientCall(ctx context.Context, call signal.Call) (interceptors.Reporter, context.Context) {
	return cl.start(ctx, call.Meta, call.Conn, call.Start, call.Attempts != nil)
}

// start starts a client call's span on cc (nil when unknown), at startTime unless it is zero.
// recorded says the stack follows the call's attempts: with WithAttemptSpans, a call whose
// span records then injects nothing itself, since each attempt injects its own span's trace
// context (StartAttempt) into the context grpc-go builds the attempt's headers from.
func (cl *Client) start(ctx context.Context, meta interceptors.CallMeta, cc *grpc.ClientConn, startTime time.Time, recorded bool) (interceptors.Reporter, context.Context) {
	c := cl.core
	var span trace.Span
	var attempt *attemptMethod
	if c.traced(ctx, meta) {
		m := c.method(meta, cc, false)
		start := m.start
		if recorded && m.attempt != nil {
			// Each attempt has a CLIENT span: the call's is the logical operation's.
			attempt, start = m.attempt, m.attempt.logicalStart
		}
		ctx, span = c.tracer.start(ctx, m.name, withStartTime(start, startTime))
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

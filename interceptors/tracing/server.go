package tracing

import (
	"context"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"

	"github.com/grpcobs/grpcobs/interceptors"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/peer"
)

// Server traces the calls a gRPC server receives. It is an interceptors.ServerReportable: put
// it first in interceptors.ServerOptions, so that the signals after it see the span and the
// baggage in the context.
type Server side

// NewServer returns the server side of tracing. Without options it traces every call, with
// the global tracer provider and W3C Trace Context and Baggage propagation.
func NewServer(opts ...Option) *Server { return (*Server)(newSide(opts, false)) }

// serverCall is one traced server call: its reporter, and room for its span's connection
// attributes, in one allocation, made only for a span that records.
type serverCall struct {
	reporter
	attrs [4]attribute.KeyValue // network.peer.address, network.peer.port, server.address, server.port
}

// ServerReporter extracts the caller's trace context and baggage from the incoming metadata
// and starts a SERVER span, its child (a new root linked to it, for a public endpoint). The
// returned context carries the span and, from a trusted caller, the baggage: the handler and
// the signals after tracing see both. A filtered or unsampled call gets no span and a no-op
// Reporter (never nil), but its context still carries what was extracted.
func (s *Server) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return (*side)(s).Report(ctx, meta, false)
}

// start starts a server call's span. From the grpcobs stack, the call has its start time: the
// span starts then and ends at that time plus the duration given to PostCall, so that the
// span, the histogram and the log line carry one duration.
func (c *core) startServer(ctx context.Context, call signal.Call) (interceptors.Reporter, context.Context) {
	meta, startTime := call.Meta, call.Start
	carrier := c.newIncomingCarrier(ctx)
	trusted := c.publicEndpoint == nil || !c.publicEndpoint(ctx, meta)
	var caller trace.SpanContext
	if trusted {
		ctx = c.extract(ctx, carrier)
	} else {
		// Extract on an empty context: only the caller's span context is kept, for the link.
		caller = trace.SpanContextFromContext(c.extract(context.Background(), carrier))
	}
	c.releaseIncomingCarrier(carrier)
	if !c.traced(ctx, meta) {
		return mw.NoopReporter{}, ctx
	}

	m := c.method(call)
	start := m.start
	if !trusted {
		start = append(start[:len(start):len(start)], trace.WithNewRoot())
		if caller.IsValid() {
			start = append(start, trace.WithLinks(trace.Link{SpanContext: caller}))
		}
	}
	ctx, span := c.tracer.startAt(ctx, m.name, start, startTime)
	if !span.IsRecording() {
		return mw.NoopReporter{}, ctx
	}
	sc := &serverCall{reporter: reporter{core: c, span: span, start: startTime}}
	attrs := sc.attrs[:0]
	if p, ok := peer.FromContext(ctx); ok {
		attrs = c.appendPeerAttributes(attrs, p.Addr, p.LocalAddr)
	}
	if trusted && len(c.baggage) > 0 {
		attrs = appendBaggageAttributes(attrs, baggage.FromContext(ctx), c.baggage)
	}
	// Set now, not with the status at the end (which would save the SDK one growth of the
	// span's attributes): the handler may set these keys itself, and its value must win.
	if len(attrs) > 0 {
		span.SetAttributes(attrs...)
	}
	return &sc.reporter, ctx
}

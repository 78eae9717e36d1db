package tracing

import (
	"context"

	"github.com/grpcobs/grpcobs/interceptors"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/peer"
)

// Server traces the calls a gRPC server receives. It is an interceptors.ServerReportable: put
// it first in interceptors.ServerOptions, so that the signals after it see the span and the
// baggage in the context.
type Server struct {
	core *core
}

var _ interceptors.ServerReportable = (*Server)(nil)

// NewServer returns the server side of tracing. Without options it traces every call, with
// the global tracer provider and W3C Trace Context and Baggage propagation.
func NewServer(opts ...Option) *Server {
	return &Server{core: newCore(opts, false)}
}

// serverCall is one traced server call: its reporter, and the carrier its extraction used,
// in one allocation.
type serverCall struct {
	reporter
	carrier incomingCarrier
}

// ServerReporter extracts the caller's trace context and baggage from the incoming metadata
// and starts a SERVER span, its child (a new root linked to it, for a public endpoint). The
// returned context carries the span and, from a trusted caller, the baggage: the handler and
// the signals after tracing see both. A filtered call gets no span and a nil Reporter, but its
// context still carries what was extracted.
func (s *Server) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	c := s.core
	call := &serverCall{reporter: reporter{core: c}}
	call.carrier.ctx = ctx
	trusted := c.publicEndpoint == nil || !c.publicEndpoint(ctx, meta)
	var caller trace.SpanContext
	if trusted {
		ctx = c.propagator.Extract(ctx, &call.carrier)
	} else {
		// Extract on an empty context: only the caller's span context is kept, for the link.
		caller = trace.SpanContextFromContext(c.propagator.Extract(context.Background(), &call.carrier))
	}
	call.carrier.ctx = nil
	if !c.traced(ctx, meta) {
		return nil, ctx
	}

	m := c.method(meta)
	start := m.start
	if !trusted {
		start = append(start[:len(start):len(start)], trace.WithNewRoot())
		if caller.IsValid() {
			start = append(start, trace.WithLinks(trace.Link{SpanContext: caller}))
		}
	}
	ctx, span := c.tracer.start(ctx, m.name, start)
	if !span.IsRecording() {
		return nil, ctx
	}
	var attrs []attribute.KeyValue
	if p, ok := peer.FromContext(ctx); ok {
		attrs = c.appendPeerAttributes(make([]attribute.KeyValue, 0, 4+len(c.baggage)), p.Addr, p.LocalAddr)
	}
	if trusted {
		attrs = appendBaggageAttributes(attrs, baggage.FromContext(ctx), c.baggage)
	}
	if len(attrs) > 0 {
		span.SetAttributes(attrs...)
	}
	call.span = span
	return &call.reporter, ctx
}

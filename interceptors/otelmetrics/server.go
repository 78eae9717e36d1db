package otelmetrics

import (
	"context"

	"github.com/grpcobs/grpcobs/interceptors"
)

// Server records the calls a gRPC server handles as OpenTelemetry metrics. It is an
// interceptors.ServerReportable: give it to interceptors.ServerOptions (after tracing, so that
// exemplars find the span; the grpcobs stack puts it there whatever the order given).
//
// By default it records rpc.server.call.duration, as the semantic conventions v1.43.0 say
// (see the package documentation); with WithA66, grpc.server.call.started and
// grpc.server.call.duration, as grpc-go's stats/opentelemetry plugin does.
type Server side

// NewServer returns the server side of the metrics. Without options it records the semantic
// conventions' metrics through the global meter provider. It never fails: see Option.
func NewServer(opts ...Option) *Server { return (*Server)(newSide(opts, false)) }

// ServerReporter begins recording a call and returns the Reporter that records its end, with
// the duration it is given; the context is returned unchanged.
func (s *Server) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return (*side)(s).Report(ctx, meta, false)
}

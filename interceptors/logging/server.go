package logging

import (
	"context"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/sirupsen/logrus"
)

// Server logs the calls a gRPC server handles: a "finished call" line per call, with the
// outcome, the peer's address and the ids of the server span. It is an
// interceptors.ServerReportable: give it to interceptors.ServerOptions after tracing, so that
// the span is in the context when the call's lines are built.
type Server side

// NewServer returns a Server that logs through logger: a *logrus.Logger, a *logrus.Entry whose
// fields every line carries, or any logrus.FieldLogger (as health.WithLogger and
// InterceptorLogger take); logrus.StandardLogger() when nil.
func NewServer(logger logrus.FieldLogger, opts ...Option) *Server {
	return (*Server)(newSide(logger, false, opts))
}

// ServerReporter starts logging a server call. The context it returns carries the call, for
// FromContext and AddFields. A nil Server logs nothing.
func (s *Server) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return (*side)(s).Report(ctx, meta, false)
}

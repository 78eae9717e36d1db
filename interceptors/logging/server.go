package logging

import (
	"context"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/sirupsen/logrus"
)

// Server logs the calls a gRPC server handles: a "finished call" line per call, with the
// outcome, the peer's address and the ids of the server span. It is an
// interceptors.ServerReportable: give it to interceptors.ServerOptions after tracing, so that
// the span is in the context when the call's lines are built.
type Server struct {
	log *callLogger
}

var _ interceptors.ServerReportable = (*Server)(nil)

// NewServer returns a Server that logs through logger: a *logrus.Logger, a *logrus.Entry whose
// fields every line carries, or any logrus.FieldLogger (as health.WithLogger and
// InterceptorLogger take); logrus.StandardLogger() when nil.
func NewServer(logger logrus.FieldLogger, opts ...Option) *Server {
	return &Server{log: newCallLogger(logger, false, opts)}
}

// SignalTraits tells the grpcobs stack where logging runs (after tracing and metrics, so that its fields find the span and the baggage), and that it reads no
// message durations. It is for the stack; it is not an extension point.
func (s *Server) SignalTraits() signal.Traits { return s.log.traits() }

// ServerReporter starts logging a server call. The context it returns carries the call, for
// FromContext and AddFields. A nil Server logs nothing.
func (s *Server) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	if s == nil {
		return mw.NoopReporter{}, ctx
	}
	return s.log.reporter(ctx, meta, nil)
}

package logging

import (
	"context"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
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

// NewServer returns a Server that logs through logger (logrus.StandardLogger() when nil).
func NewServer(logger *logrus.Logger, opts ...Option) *Server {
	return &Server{log: newCallLogger(logger, false, opts)}
}

// IgnoresMessageDurations tells the grpcobs stack that logging does not read message durations
// (see interceptors.MessageDurationIgnorer), so the stack need not time each message.
func (*Server) IgnoresMessageDurations() bool { return true }

// ServerReporter starts logging a server call. The context it returns carries the call, for
// FromContext and AddFields. A nil Server logs nothing.
func (s *Server) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	if s == nil {
		return mw.NoopReporter{}, ctx
	}
	return s.log.reporter(ctx, meta)
}

package bench

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
)

// Stack is what one configuration puts on a server and on the clients that call it, and the
// resources its signals write to.
type Stack struct {
	// ServerOptions go to grpc.NewServer.
	ServerOptions []grpc.ServerOption
	// DialOptions go to grpc.NewClient, next to the transport's own.
	DialOptions []grpc.DialOption
	// Logger is the logger both sides log through (to io.Discard), or nil without logging.
	Logger *logrus.Logger
	// Registry holds both sides' collectors, or is nil without metrics.
	Registry *prometheus.Registry

	slogger *slog.Logger  // the slog logger both sides log through, or nil
	slogOut *switchWriter // its output

	exported *atomic.Int64 // spans the exporter was handed, nil without tracing
	flush    []func(context.Context) error
	shutdown []func(context.Context) error
}

// ExportedSpans is how many spans have reached the exporter so far (after a Shutdown, every
// span that ended).
func (s *Stack) ExportedSpans() int64 {
	if s.exported == nil {
		return 0
	}
	return s.exported.Load()
}

// SetLogOutput sends what both sides log, through logrus or slog, to w instead of io.Discard.
func (s *Stack) SetLogOutput(w io.Writer) {
	if s.Logger != nil {
		s.Logger.SetOutput(w)
	}
	if s.slogOut != nil {
		s.slogOut.w.Store(&writerBox{w})
	}
}

// Shutdown flushes and stops what the stack started (the span processors' goroutines).
// Call it once the server and the clients have stopped; calling it again does nothing.
func (s *Stack) Shutdown(ctx context.Context) error {
	var errs []error
	for _, stop := range s.shutdown {
		errs = append(errs, stop(ctx))
	}
	return errors.Join(errs...)
}

// Flush exports every span that has ended so far.
func (s *Stack) Flush(ctx context.Context) error {
	var errs []error
	for _, flush := range s.flush {
		errs = append(errs, flush(ctx))
	}
	return errors.Join(errs...)
}

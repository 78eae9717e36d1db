package logging

import (
	"context"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/sirupsen/logrus"
)

// Client logs the calls a gRPC client makes: a "finished call" line per call, with the outcome
// and the ids of the client span. It is an interceptors.ClientReportable: give it to
// interceptors.DialOptions after tracing, so that the client span is in the context when the
// call's lines are built.
type Client struct {
	log *callLogger
}

var (
	_ interceptors.ClientReportable = (*Client)(nil)
	_ signal.ClientStarter          = (*Client)(nil)
)

// NewClient returns a Client that logs through logger: a *logrus.Logger, a *logrus.Entry whose
// fields every line carries, or any logrus.FieldLogger (as health.WithLogger and
// InterceptorLogger take); logrus.StandardLogger() when nil.
func NewClient(logger logrus.FieldLogger, opts ...Option) *Client {
	return &Client{log: newCallLogger(logger, true, opts)}
}

// SignalTraits tells the grpcobs stack where logging runs (after tracing and metrics, so that its fields find the span and the baggage), and that it reads no
// message durations. It is for the stack; it is not an extension point.
func (c *Client) SignalTraits() signal.Traits { return c.log.traits() }

// ClientReporter starts logging a client call. The context it returns carries the call, for
// FromContext and AddFields. A nil Client logs nothing.
func (c *Client) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	if c == nil {
		return mw.NoopReporter{}, ctx
	}
	return c.log.reporter(ctx, meta, nil)
}

// StartClientCall is ClientReporter for the grpcobs stack. When the stack records the call's
// attempts (a signal asked for them: tracing.WithAttemptSpans, metrics.WithAttempts), the
// finish line of a call grpc-go attempted more than once carries FieldAttempts and
// FieldAttemptCodes.
func (c *Client) StartClientCall(ctx context.Context, sc signal.Call) (interceptors.Reporter, context.Context) {
	if c == nil {
		return mw.NoopReporter{}, ctx
	}
	return c.log.reporter(ctx, sc.Meta, sc.Attempts)
}

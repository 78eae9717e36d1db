package logging

import (
	"context"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/sirupsen/logrus"
)

// Client logs the calls a gRPC client makes: a "finished call" line per call, with the outcome
// and the ids of the client span. It is an interceptors.ClientReportable: give it to
// interceptors.DialOptions after tracing, so that the client span is in the context when the
// call's lines are built.
type Client struct {
	log *callLogger
}

var _ interceptors.ClientReportable = (*Client)(nil)

// NewClient returns a Client that logs through logger (logrus.StandardLogger() when nil).
func NewClient(logger *logrus.Logger, opts ...Option) *Client {
	return &Client{log: newCallLogger(logger, true, opts)}
}

// IgnoresMessageDurations tells the grpcobs stack that logging does not read message durations
// (see interceptors.MessageDurationIgnorer), so the stack need not time each message.
func (*Client) IgnoresMessageDurations() bool { return true }

// ClientReporter starts logging a client call. The context it returns carries the call, for
// FromContext and AddFields. A nil Client logs nothing.
func (c *Client) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	if c == nil {
		return mw.NoopReporter{}, ctx
	}
	return c.log.reporter(ctx, meta)
}

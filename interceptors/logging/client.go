package logging

import (
	"context"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/sirupsen/logrus"
)

// Client logs the calls a gRPC client makes: a "finished call" line per call, with the outcome
// and the ids of the client span. It is an interceptors.ClientReportable: give it to
// interceptors.DialOptions after tracing, so that the client span is in the context when the
// call's lines are built.
type Client side

// NewClient returns a Client that logs through logger: a *logrus.Logger, a *logrus.Entry whose
// fields every line carries, or any logrus.FieldLogger (as health.WithLogger and
// InterceptorLogger take); logrus.StandardLogger() when nil.
func NewClient(logger logrus.FieldLogger, opts ...Option) *Client {
	return (*Client)(newSide(logger, true, opts))
}

// ClientReporter starts logging a client call. The context it returns carries the call, for
// FromContext and AddFields. A nil Client logs nothing.
func (c *Client) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return (*side)(c).Report(ctx, meta, true)
}

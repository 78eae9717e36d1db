package otelmetrics

import (
	"context"

	"github.com/grpcobs/grpcobs/interceptors"
)

// Client records the calls a gRPC client makes as OpenTelemetry metrics. It is an
// interceptors.ClientReportable: give it to interceptors.DialOptions (after tracing, so that
// exemplars find the span).
//
// By default it records rpc.client.call.duration, as the semantic conventions v1.43.0 say,
// with the server.address and server.port of the target the connection was created with; with
// WithA66, grpc.client.call.duration, as grpc-go's stats/opentelemetry plugin does, with
// grpc.target, and, with WithAttempts too, the plugin's grpc.client.attempt.* metrics.
type Client side

// NewClient returns the client side of the metrics. Without options it records the semantic
// conventions' metrics through the global meter provider. It never fails: see Option.
func NewClient(opts ...Option) *Client { return (*Client)(newSide(opts, true)) }

// ClientReporter begins recording a call and returns the Reporter that records its end; the
// context is returned unchanged. Called by other interceptors than grpcobs', it does not know
// the connection: the measurement has no server.address, and grpc.target is "other". (The
// grpcobs stack gives the connection: the measurement carries server.address and
// server.port, or, under A66, grpc.target, of the target it was created with.)
func (cl *Client) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return (*side)(cl).Report(ctx, meta, true)
}

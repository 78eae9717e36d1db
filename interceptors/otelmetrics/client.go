package otelmetrics

import (
	"context"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
)

// Client records the calls a gRPC client makes as OpenTelemetry metrics. It is an
// interceptors.ClientReportable: give it to interceptors.DialOptions (after tracing, so that
// exemplars find the span).
//
// By default it records rpc.client.call.duration, as the semantic conventions v1.43.0 say,
// with the server.address and server.port of the target the connection was created with; with
// WithA66, grpc.client.call.duration, as grpc-go's stats/opentelemetry plugin does, with
// grpc.target, and, with WithAttempts too, the plugin's grpc.client.attempt.* metrics.
type Client struct {
	core *core
}

var (
	_ interceptors.ClientReportable = (*Client)(nil)
	_ signal.ClientStarter          = (*Client)(nil)
)

// NewClient returns the client side of the metrics. Without options it records the semantic
// conventions' metrics through the global meter provider. It never fails: see Option.
func NewClient(opts ...Option) *Client {
	return &Client{core: newCore(opts, true)}
}

// SignalTraits tells the grpcobs stack to run the metrics after tracing, that they read no
// message durations, and, with WithA66 and WithAttempts, that they want each attempt. It is
// for the stack; it is not an extension point.
func (cl *Client) SignalTraits() signal.Traits { return cl.core.traits() }

// StartClientCall is ClientReporter for the grpcobs stack, which gives the connection: the
// measurement carries server.address and server.port (or, under A66, grpc.target) of the
// target it was created with.
func (cl *Client) StartClientCall(ctx context.Context, call signal.Call) (interceptors.Reporter, context.Context) {
	return cl.coreOrNil().start(ctx, call.Meta, call.Conn, false)
}

// ClientReporter begins recording a call and returns the Reporter that records its end; the
// context is returned unchanged. Called by other interceptors than grpcobs', it does not know
// the connection: the measurement has no server.address, and grpc.target is "other".
func (cl *Client) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return cl.coreOrNil().start(ctx, meta, nil, false)
}

func (cl *Client) coreOrNil() *core {
	if cl == nil {
		return nil
	}
	return cl.core
}

package metrics

import (
	"context"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/prometheus/client_golang/prometheus"
)

// ClientMetrics counts and times the calls a gRPC client makes. It is a prometheus.Collector
// (register it on your registry: it never registers itself) and an interceptors
// ClientReportable (give it to interceptors.DialOptions, after tracing so that exemplars find
// the span; a span the caller started in the call's context works too).
//
// Series, all labelled grpc_type, grpc_service and grpc_method:
//
//	grpc_client_started_total       counter    calls started
//	grpc_client_handled_total       counter    calls completed, also labelled grpc_code
//	grpc_client_msg_received_total  counter    messages received (unary calls: 1 if the call succeeded)
//	grpc_client_msg_sent_total      counter    messages sent (unary calls: 1)
//	grpc_client_handling_seconds    histogram  time from the call's start to its end
//	grpc_client_in_flight           gauge      calls started and not yet completed
//	grpc_client_attempts_total      counter    attempts ended, also labelled grpc_code (WithAttempts only)
//	grpc_client_msg_send_handling_seconds  histogram  time of each message sent (WithClientStreamSendHistogram only)
//	grpc_client_msg_recv_handling_seconds  histogram  time of each message received (WithClientStreamRecvHistogram only)
//
// A stream the caller abandons (stops reading, then cancels or its deadline passes) is
// completed a second after grpc-go finishes it, with code CANCELED or DEADLINE_EXCEEDED. A method that is not known (see the package
// doc) gets grpc_service and grpc_method "other", so calls to arbitrary method strings cannot
// add series.
type ClientMetrics signalSide

var (
	_ prometheus.Collector          = (*ClientMetrics)(nil)
	_ interceptors.ClientReportable = (*ClientMetrics)(nil)
)

// NewClientMetrics returns the metrics of a gRPC client. An option it cannot use makes
// registering it fail: see Option.
func NewClientMetrics(opts ...Option) *ClientMetrics {
	return (*ClientMetrics)(newSide(clientSide, opts))
}

// ClientReporter counts a call in and returns the Reporter that counts the rest of it; the
// context is returned unchanged.
func (m *ClientMetrics) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return m.coreOrNil().startAlone(ctx, meta)
}

// Describe sends the descriptors of every metric, or the reason the options given to
// NewClientMetrics cannot be used, which the registry then returns from Register.
func (m *ClientMetrics) Describe(ch chan<- *prometheus.Desc) { m.coreOrNil().describe(ch) }

// Collect sends every series.
func (m *ClientMetrics) Collect(ch chan<- prometheus.Metric) { m.coreOrNil().collect(ch) }

func (m *ClientMetrics) coreOrNil() *core { return (*signalSide)(m).Core() }

package metrics

import (
	"context"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
)

// ServerMetrics counts and times the calls a gRPC server handles. It is a prometheus.Collector
// (register it on your registry: it never registers itself) and an interceptors
// ServerReportable (give it to interceptors.ServerOptions, after tracing so that exemplars
// find the span).
//
// Series, all labelled grpc_type, grpc_service and grpc_method:
//
//	grpc_server_started_total       counter    calls started
//	grpc_server_handled_total       counter    calls completed, also labelled grpc_code
//	grpc_server_msg_received_total  counter    messages received (unary calls: 1)
//	grpc_server_msg_sent_total      counter    messages sent (unary calls: 1 if the call succeeded)
//	grpc_server_handling_seconds    histogram  time from the call's start to its end
//	grpc_server_in_flight           gauge      calls started and not yet completed
//
// The handled increment and the histogram observation carry a trace_id exemplar when the
// call's span is sampled and that code's counter, or that bucket, has had no exemplar for the
// exemplar interval (see WithExemplarInterval). A method that is not known gets grpc_service
// and grpc_method "other": see InitializeMetrics and the package doc.
type ServerMetrics signalSide

var (
	_ prometheus.Collector          = (*ServerMetrics)(nil)
	_ interceptors.ServerReportable = (*ServerMetrics)(nil)
)

// NewServerMetrics returns the metrics of a gRPC server. An option it cannot use makes
// registering it fail: see Option.
func NewServerMetrics(opts ...Option) *ServerMetrics {
	return (*ServerMetrics)(newSide(serverSide, opts))
}

// ServiceInfoProvider lists the services registered on a server; *grpc.Server is one.
type ServiceInfoProvider interface {
	GetServiceInfo() map[string]grpc.ServiceInfo
}

// InitializeMetrics creates the series of every method registered on server, set to zero and
// for every grpc_code on grpc_server_handled_total, so that rates and ratios exist before the
// first call. Call it after registering your services, before serving.
//
// It also makes every method registered on server known, to every grpcobs stack the metrics
// are in (and so to every signal of those stacks) and outside them, whenever it was
// registered: one registered after InitializeMetrics (a health or reflection service
// registered later, say) is known from its first call. The server is read now, and once more
// at the first call to a method not known otherwise (grpc-go takes no registration once a
// server serves); it is not read again after that. A nil server is ignored.
func (m *ServerMetrics) InitializeMetrics(server ServiceInfoProvider) {
	if c := m.coreOrNil(); c != nil && server != nil {
		c.methods.register(server)
	}
}

// ServerReporter counts a call in and returns the Reporter that counts the rest of it; the
// context is returned unchanged.
func (m *ServerMetrics) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return m.coreOrNil().startAlone(ctx, meta)
}

// Describe sends the descriptors of every metric, or the reason the options given to
// NewServerMetrics cannot be used, which the registry then returns from Register.
func (m *ServerMetrics) Describe(ch chan<- *prometheus.Desc) { m.coreOrNil().describe(ch) }

// Collect sends every series.
func (m *ServerMetrics) Collect(ch chan<- prometheus.Metric) { m.coreOrNil().collect(ch) }

func (m *ServerMetrics) coreOrNil() *core { return (*signalSide)(m).Core() }

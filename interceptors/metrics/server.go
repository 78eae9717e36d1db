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
// exemplar interval (see WithExemplarInterval). A method that is not known gets grpc_service and grpc_method
// "other": see InitializeMetrics.
type ServerMetrics struct {
	core *core
}

var (
	_ prometheus.Collector          = (*ServerMetrics)(nil)
	_ interceptors.ServerReportable = (*ServerMetrics)(nil)
)

// NewServerMetrics returns the metrics of a gRPC server. It never fails: see Option.
func NewServerMetrics(opts ...Option) *ServerMetrics {
	return &ServerMetrics{core: newCore(serverSide, opts)}
}

// ServiceInfoProvider lists the services registered on a server; *grpc.Server is one.
type ServiceInfoProvider interface {
	GetServiceInfo() map[string]grpc.ServiceInfo
}

// InitializeMetrics creates the series of every method registered on server, set to zero and
// for every grpc_code on grpc_server_handled_total, so that rates and ratios exist before the
// first call. Call it after every service is registered, before serving.
//
// It also decides which methods are known. Before any call to InitializeMetrics, a method is
// known when generated code linked into the program declares it. After it, a method is known
// only when registered on a server given to InitializeMetrics: a call that reaches an
// unknown-service handler, or a method registered afterwards, is counted under
// grpc_service="other", grpc_method="other". A nil server is ignored.
func (m *ServerMetrics) InitializeMetrics(server ServiceInfoProvider) {
	if m == nil || m.core == nil || server == nil {
		return
	}
	if s, ok := server.(*grpc.Server); ok && s == nil {
		return
	}
	m.core.methods.register(server.GetServiceInfo())
}

// IgnoresMessageDurations tells the grpcobs stack that metrics does not read message durations
// (see interceptors.MessageDurationIgnorer), so the stack need not time each message.
func (*ServerMetrics) IgnoresMessageDurations() bool { return true }

// ServerReporter counts a call in and returns the Reporter that counts the rest of it; the
// context is returned unchanged.
func (m *ServerMetrics) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return m.coreOrNil().reporter(ctx, meta)
}

// Describe sends the descriptors of every metric, or the reason the options given to
// NewServerMetrics cannot be used, which the registry then returns from Register.
func (m *ServerMetrics) Describe(ch chan<- *prometheus.Desc) { m.coreOrNil().describe(ch) }

// Collect sends every series.
func (m *ServerMetrics) Collect(ch chan<- prometheus.Metric) { m.coreOrNil().collect(ch) }

func (m *ServerMetrics) coreOrNil() *core {
	if m == nil {
		return nil
	}
	return m.core
}

package metrics_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

const demoService = "grpcobs.demo.v1.DemoService"

// stack is a real server and client, each with its metrics, both on one registry.
type stack struct {
	*testsrv.Harness
	reg    *prometheus.Registry
	server *metrics.ServerMetrics
	client *metrics.ClientMetrics
}

// stackConfig says how to build a stack; the zero value is the demo service with default
// metrics.
type stackConfig struct {
	metricOptions []metrics.Option
	// stack configures each side's interceptors.Stack (one per side).
	stack []interceptors.StackOption
	// tracer, if set, starts a span for every call, on both sides, before metrics run: it
	// stands in for the tracing signal.
	tracer trace.Tracer
	// innerServer are server options applied after the stack, so they run inside it.
	innerServer []grpc.ServerOption
	harness     []testsrv.Option
	// register, if set, registers the server's services in place of the demo service, and may
	// call the server metrics (InitializeMetrics) between registrations.
	register func(srv *grpc.Server, m *metrics.ServerMetrics)
}

func startStack(t testing.TB, cfg stackConfig) *stack {
	t.Helper()
	s := &stack{
		reg:    prometheus.NewRegistry(),
		server: metrics.NewServerMetrics(cfg.metricOptions...),
		client: metrics.NewClientMetrics(cfg.metricOptions...),
	}
	if err := s.reg.Register(s.server); err != nil {
		t.Fatalf("register server metrics: %v", err)
	}
	if err := s.reg.Register(s.client); err != nil {
		t.Fatalf("register client metrics: %v", err)
	}
	var serverSide []interceptors.ServerReportable
	var clientSide []interceptors.ClientReportable
	if cfg.tracer != nil {
		serverSide = append(serverSide, spanStarter{cfg.tracer})
		clientSide = append(clientSide, spanStarter{cfg.tracer})
	}
	serverSide = append(serverSide, s.server)
	clientSide = append(clientSide, s.client)
	serverStack, err := interceptors.NewStack(cfg.stack...)
	if err != nil {
		t.Fatal(err)
	}
	clientStack, err := interceptors.NewStack(cfg.stack...)
	if err != nil {
		t.Fatal(err)
	}
	serverOpts := append(serverStack.ServerOptions(serverSide...), cfg.innerServer...)
	opts := append([]testsrv.Option{
		testsrv.WithServerOptions(serverOpts...),
		testsrv.WithDialOptions(clientStack.DialOptions(clientSide...)...),
	}, cfg.harness...)
	if cfg.register != nil {
		opts = append(opts, testsrv.WithRegister(func(srv *grpc.Server) { cfg.register(srv, s.server) }))
	}
	s.Harness = testsrv.Start(t, opts...)
	return s
}

// spanStarter starts a span for each call, as the tracing signal does, and ends it with the
// call.
type spanStarter struct{ tracer trace.Tracer }

func (s spanStarter) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return s.start(ctx, "server "+meta.FullMethod())
}

func (s spanStarter) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return s.start(ctx, "client "+meta.FullMethod())
}

func (s spanStarter) start(ctx context.Context, name string) (interceptors.Reporter, context.Context) {
	ctx, span := s.tracer.Start(ctx, name)
	return spanEnder{span: span}, ctx
}

type spanEnder struct {
	mw.NoopReporter
	span trace.Span
}

func (e spanEnder) PostCall(error, time.Duration) { e.span.End() }

// labels are the labels a series must have (it may have more).
type labels map[string]string

// demoMethod are the labels of a DemoService method.
func demoMethod(typ interceptors.GRPCType, method string) labels {
	return labels{"grpc_type": string(typ), "grpc_service": demoService, "grpc_method": method}
}

// with returns l plus name=value.
func (l labels) with(name, value string) labels {
	out := maps.Clone(l)
	out[name] = value
	return out
}

func (l labels) String() string {
	parts := make([]string, 0, len(l))
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, l[k]))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func gather(t testing.TB, g prometheus.Gatherer) []*dto.MetricFamily {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	return mfs
}

// find returns the one series of the family name that has the labels want, or nil if there is
// none. More than one is a test failure.
func find(t testing.TB, g prometheus.Gatherer, name string, want labels) *dto.Metric {
	t.Helper()
	var found []*dto.Metric
	for _, mf := range gather(t, g) {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if hasLabels(m, want) {
				found = append(found, m)
			}
		}
	}
	if len(found) > 1 {
		t.Fatalf("%s%v: %d series match, want at most one", name, want, len(found))
	}
	if len(found) == 0 {
		return nil
	}
	return found[0]
}

// must is find, failing the test when the series does not exist.
func must(t testing.TB, g prometheus.Gatherer, name string, want labels) *dto.Metric {
	t.Helper()
	m := find(t, g, name, want)
	if m == nil {
		t.Fatalf("no series %s%v", name, want)
	}
	return m
}

func hasLabels(m *dto.Metric, want labels) bool {
	got := labelMap(m.GetLabel())
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func labelMap(pairs []*dto.LabelPair) map[string]string {
	out := make(map[string]string, len(pairs))
	for _, p := range pairs {
		out[p.GetName()] = p.GetValue()
	}
	return out
}

// value is the value of a counter or gauge series, which must exist.
func value(t testing.TB, g prometheus.Gatherer, name string, want labels) float64 {
	t.Helper()
	m := must(t, g, name, want)
	switch {
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	}
	t.Fatalf("%s%v is neither a counter nor a gauge", name, want)
	return 0
}

// sampleCount is the number of observations of a histogram series, which must exist.
func sampleCount(t testing.TB, g prometheus.Gatherer, name string, want labels) uint64 {
	t.Helper()
	return must(t, g, name, want).GetHistogram().GetSampleCount()
}

// seriesPerFamily counts the series of every family.
func seriesPerFamily(t testing.TB, g prometheus.Gatherer) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, mf := range gather(t, g) {
		out[mf.GetName()] = len(mf.GetMetric())
	}
	return out
}

// eventually polls cond until it holds, failing the test after a generous deadline. It is for
// outcomes that happen on another goroutine after the call returned (a server noticing a
// cancel, a client noticing an abandoned stream's context end).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// inFlight is a side's in-flight gauge for the labels, 0 when the series does not exist.
func inFlight(t testing.TB, g prometheus.Gatherer, name string, want labels) float64 {
	t.Helper()
	if m := find(t, g, name, want); m != nil {
		return m.GetGauge().GetValue()
	}
	return 0
}

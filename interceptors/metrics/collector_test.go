package metrics_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
)

func TestRegisteringTwiceGivesAlreadyRegisteredError(t *testing.T) {
	for _, tc := range []struct {
		name        string
		make        func() prometheus.Collector
		firstFamily string
	}{
		{"server", func() prometheus.Collector { return metrics.NewServerMetrics() }, "grpc_server_started_total"},
		{"client", func() prometheus.Collector { return metrics.NewClientMetrics() }, "grpc_client_started_total"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			first := tc.make()
			if err := reg.Register(first); err != nil {
				t.Fatalf("first Register: %v", err)
			}
			for _, again := range []prometheus.Collector{first, tc.make()} {
				var are prometheus.AlreadyRegisteredError
				if err := reg.Register(again); !errors.As(err, &are) {
					t.Fatalf("Register again: got %v, want an AlreadyRegisteredError", err)
				}
				if are.ExistingCollector != first {
					t.Errorf("AlreadyRegisteredError.ExistingCollector is not the collector registered first")
				}
			}
		})
	}
}

func TestNothingRegistersOnTheDefaultRegistry(t *testing.T) {
	s := startStack(t, stackConfig{})
	if _, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	for _, mf := range gather(t, prometheus.DefaultGatherer) {
		if strings.HasPrefix(mf.GetName(), "grpc_") {
			t.Errorf("the default registry has %s", mf.GetName())
		}
	}
}

func TestGatheredOutputPassesLint(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []metrics.Option
	}{
		{"defaults", nil},
		{"namespace, constant labels, native histograms", []metrics.Option{
			metrics.WithNamespace("shop"), metrics.WithConstLabels(prometheus.Labels{"component": "billing"}),
			metrics.WithNativeHistograms(1.1),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
			t.Cleanup(func() { _ = rec.Shutdown(t.Context()) })
			s := startStack(t, stackConfig{metricOptions: tc.opts, tracer: rec.Tracer("test")})
			s.server.InitializeMetrics(s.Server)
			makeEveryKindOfCall(t.Context(), t, s.Demo())

			problems, err := testutil.GatherAndLint(s.reg)
			if err != nil {
				t.Fatalf("GatherAndLint: %v", err)
			}
			for _, p := range problems {
				t.Errorf("lint: %s: %s", p.Metric, p.Text)
			}
			if got := len(seriesPerFamily(t, s.reg)); got != 12 {
				t.Errorf("linted %d families, want 12", got)
			}
		})
	}
}

func TestNamespaceAndConstantLabels(t *testing.T) {
	s := startStack(t, stackConfig{metricOptions: []metrics.Option{
		metrics.WithNamespace("shop"), metrics.WithConstLabels(prometheus.Labels{"component": "billing"}),
	}})
	if _, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	if got := value(t, s.reg, "shop_grpc_server_started_total", demoMethod(interceptors.Unary, "Echo").with("component", "billing")); got != 1 {
		t.Errorf("shop_grpc_server_started_total = %v, want 1", got)
	}
	families := seriesPerFamily(t, s.reg)
	if len(families) != 12 {
		t.Errorf("%d families, want 12", len(families))
	}
	for name := range families {
		if !strings.HasPrefix(name, "shop_grpc_") {
			t.Errorf("family %s has no namespace", name)
		}
		if find(t, s.reg, name, labels{"component": "billing"}) == nil {
			t.Errorf("family %s has no component=billing series", name)
		}
	}
}

// bucketBounds are the upper bounds of the classic buckets of the server's Echo histogram,
// after one Echo call.
func bucketBounds(t *testing.T, opts ...metrics.Option) []float64 {
	t.Helper()
	s := startStack(t, stackConfig{metricOptions: opts})
	if _, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	var bounds []float64
	for _, b := range must(t, s.reg, "grpc_server_handling_seconds", demoMethod(interceptors.Unary, "Echo")).GetHistogram().GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
	}
	return bounds
}

func TestHistogramBuckets(t *testing.T) {
	defaults := []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	for _, tc := range []struct {
		name string
		opts []metrics.Option
		want []float64
	}{
		{"default", nil, defaults},
		{"chosen", []metrics.Option{metrics.WithHistogramBuckets(0.1, 1, 30)}, []float64{0.1, 1, 30}},
		{"final +Inf", []metrics.Option{metrics.WithHistogramBuckets(0.1, math.Inf(1))}, []float64{0.1}},
		{"+Inf alone, native only", []metrics.Option{metrics.WithHistogramBuckets(math.Inf(1)), metrics.WithNativeHistograms(1.1)}, nil},
		{"nil option", []metrics.Option{nil}, defaults},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := bucketBounds(t, tc.opts...); !slices.Equal(got, tc.want) {
				t.Errorf("buckets %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHistogramBucketsAreCopied(t *testing.T) {
	buckets := []float64{0.1, 1}
	opt := metrics.WithHistogramBuckets(buckets...)
	buckets[0] = 5 // no longer increasing: a shared slice would make the histogram panic
	if got := bucketBounds(t, opt); !slices.Equal(got, []float64{0.1, 1}) {
		t.Errorf("buckets %v, want [0.1 1]", got)
	}
}

func TestNativeHistograms(t *testing.T) {
	s := startStack(t, stackConfig{metricOptions: []metrics.Option{metrics.WithNativeHistograms(1.1)}})
	if _, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	for _, side := range []string{"server", "client"} {
		h := must(t, s.reg, "grpc_"+side+"_handling_seconds", demoMethod(interceptors.Unary, "Echo")).GetHistogram()
		if h.Schema == nil || h.GetSchema() != 3 {
			t.Errorf("%s histogram: native schema %v, want 3 (factor 1.1 rounds to 2^(2^-3))", side, h.Schema)
		}
		if got := len(h.GetBucket()); got != 14 {
			t.Errorf("%s histogram has %d classic buckets, want 14 next to the native ones", side, got)
		}
	}
}

func TestWithoutHistogram(t *testing.T) {
	s := startStack(t, stackConfig{metricOptions: []metrics.Option{metrics.WithoutHistogram()}})
	makeEveryKindOfCall(t.Context(), t, s.Demo())
	families := seriesPerFamily(t, s.reg)
	for _, name := range []string{"grpc_server_handling_seconds", "grpc_client_handling_seconds"} {
		if _, ok := families[name]; ok {
			t.Errorf("%s is there, want no histogram", name)
		}
	}
	if len(families) != 10 {
		t.Errorf("%d families, want 10", len(families))
	}
}

// A nil or zero-value *ServerMetrics or *ClientMetrics records nothing and fails nothing;
// InitializeMetrics ignores a nil server.
func TestNilAndZeroValuesAreIgnored(t *testing.T) {
	var nilServer *metrics.ServerMetrics
	var nilClient *metrics.ClientMetrics
	zeroServer, zeroClient := &metrics.ServerMetrics{}, &metrics.ClientMetrics{}
	h := testsrv.Start(t,
		testsrv.WithServerOptions(interceptors.ServerOptions(nilServer, zeroServer)...),
		testsrv.WithDialOptions(interceptors.DialOptions(nilClient, zeroClient)...))
	if _, err := h.Demo().Echo(t.Context(), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo through nil metrics: %v", err)
	}
	nilServer.InitializeMetrics(h.Server)
	zeroServer.InitializeMetrics(h.Server)
	for _, c := range []prometheus.Collector{nilServer, nilClient, zeroServer, zeroClient} {
		if got := collected(c); got != 0 {
			t.Errorf("a nil or zero-value collector collected %d series, want 0", got)
		}
	}

	m := metrics.NewServerMetrics()
	m.InitializeMetrics(nil)
	m.InitializeMetrics((*grpc.Server)(nil))
	if got := collected(m); got != 0 {
		t.Errorf("InitializeMetrics(nil) created %d series, want 0", got)
	}
}

// collected counts the series c collects, without a registry (which would refuse c).
func collected(c prometheus.Collector) int {
	ch := make(chan prometheus.Metric)
	go func() {
		c.Collect(ch)
		close(ch)
	}()
	n := 0
	for range ch {
		n++
	}
	return n
}

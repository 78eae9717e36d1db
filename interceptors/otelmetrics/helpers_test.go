package otelmetrics_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	demoService = "grpcobs.demo.v1.DemoService"
	echoMethod  = demoService + "/Echo"
)

// stack is a real server and client, each with the OpenTelemetry metrics signal (and, on
// request, grpcobs' tracing before it), both recording through one SDK meter provider read by
// a ManualReader.
type stack struct {
	*testsrv.Harness
	reader *sdkmetric.ManualReader
	spans  *tracetest.SpanRecorder // nil unless traced
}

// stackConfig says how to build a stack; the zero value is the demo service over bufconn with
// the default (semantic conventions) metrics.
type stackConfig struct {
	options []otelmetrics.Option
	// also, when not nil, adds a second metrics signal with these options on each side.
	also    []otelmetrics.Option
	traced  bool // put grpcobs' tracing first, sampling every call
	harness []testsrv.Option
	// clientStack configures the client's interceptors.Stack; the server's has no options.
	clientStack []interceptors.StackOption
}

func startStack(t testing.TB, cfg stackConfig) *stack {
	t.Helper()
	s := &stack{reader: sdkmetric.NewManualReader()}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(s.reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	opts := append([]otelmetrics.Option{otelmetrics.WithMeterProvider(mp)}, cfg.options...)

	var server []interceptors.ServerReportable
	var client []interceptors.ClientReportable
	// The metrics come first here: the stack must still run tracing before them.
	server = append(server, otelmetrics.NewServer(opts...))
	client = append(client, otelmetrics.NewClient(opts...))
	if cfg.also != nil {
		also := append([]otelmetrics.Option{otelmetrics.WithMeterProvider(mp)}, cfg.also...)
		server = append(server, otelmetrics.NewServer(also...))
		client = append(client, otelmetrics.NewClient(also...))
	}
	if cfg.traced {
		s.spans = tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(s.spans), sdktrace.WithSampler(sdktrace.AlwaysSample()))
		t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		server = append(server, tracing.NewServer(tracing.WithTracerProvider(tp)))
		client = append(client, tracing.NewClient(tracing.WithTracerProvider(tp)))
	}
	clientStack, err := interceptors.NewStack(cfg.clientStack...)
	if err != nil {
		t.Fatal(err)
	}
	s.Harness = testsrv.Start(t, append([]testsrv.Option{
		testsrv.WithServerOptions(interceptors.ServerOptions(server...)...),
		testsrv.WithDialOptions(clientStack.DialOptions(client...)...),
	}, cfg.harness...)...)
	return s
}

// collect reads every metric the stack recorded.
func (s *stack) collect(t testing.TB) []metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := s.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect: %v", err)
	}
	var out []metricdata.Metrics
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelmetrics.ScopeName {
			t.Errorf("scope %q, want %q", sm.Scope.Name, otelmetrics.ScopeName)
		}
		out = append(out, sm.Metrics...)
	}
	return out
}

// names are the names of the metrics, sorted.
func names(ms []metricdata.Metrics) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	slices.Sort(out)
	return out
}

// metricNamed returns the metric of that name, failing the test when there is none.
func metricNamed(t testing.TB, ms []metricdata.Metrics, name string) metricdata.Metrics {
	t.Helper()
	for _, m := range ms {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no metric %s among %v", name, names(ms))
	return metricdata.Metrics{}
}

// histogram returns the data points of a float histogram.
func histogram(t testing.TB, m metricdata.Metrics) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	h, ok := m.Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%s is a %T, want a float64 histogram", m.Name, m.Data)
	}
	if h.Temporality != metricdata.CumulativeTemporality {
		t.Errorf("%s: temporality %v, want cumulative", m.Name, h.Temporality)
	}
	return h.DataPoints
}

// histogramPoint returns the histogram's data point with exactly the attributes attrs,
// failing the test when there is none.
func histogramPoint(t testing.TB, m metricdata.Metrics, attrs ...attribute.KeyValue) metricdata.HistogramDataPoint[float64] {
	t.Helper()
	points := histogram(t, m)
	return points[findPoint(t, m.Name, len(points), func(i int) attribute.Set { return points[i].Attributes }, attrs)]
}

// counterPoint returns the int64 counter's data point with exactly the attributes attrs,
// failing the test when there is none.
func counterPoint(t testing.TB, m metricdata.Metrics, attrs ...attribute.KeyValue) metricdata.DataPoint[int64] {
	t.Helper()
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok || !sum.IsMonotonic {
		t.Fatalf("%s is a %T (monotonic: %v), want a monotonic int64 sum", m.Name, m.Data, sum.IsMonotonic)
	}
	return sum.DataPoints[findPoint(t, m.Name, len(sum.DataPoints), func(i int) attribute.Set { return sum.DataPoints[i].Attributes }, attrs)]
}

func findPoint(t testing.TB, name string, n int, attributesAt func(int) attribute.Set, attrs []attribute.KeyValue) int {
	t.Helper()
	want := attribute.NewSet(attrs...)
	var seen []string
	for i := range n {
		set := attributesAt(i)
		if set.Equals(&want) {
			return i
		}
		seen = append(seen, setString(set))
	}
	t.Fatalf("%s has no point {%s}; it has:\n%s", name, setString(want), strings.Join(seen, "\n"))
	return -1
}

func setString(s attribute.Set) string {
	var parts []string
	for _, kv := range s.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+kv.Value.String())
	}
	return strings.Join(parts, " ")
}

// statusWithCode is a status error with any code, even one gRPC does not have.
func statusWithCode(code uint32) error {
	return status.Error(codes.Code(code), "a code gRPC does not have")
}

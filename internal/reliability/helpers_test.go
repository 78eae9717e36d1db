package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// testTimeout bounds every wait: a call, a poll for an outcome on another goroutine. It is a
// deadline against hangs, never a performance assertion.
const testTimeout = 60 * time.Second

const demoService = "grpcobs.demo.v1.DemoService"

// stack is a server and a client, each with grpcobs' whole stack (tracing, then metrics, then
// logging) reporting to the same tracer provider, metrics registry and pair of log sinks.
type stack struct {
	*testsrv.Harness
	// Client calls through the client stack. The harness' own Conn has no interceptors: it is
	// the raw peer that hostile tests send from.
	Client *grpc.ClientConn
	// Registry holds the server's and the client's metrics.
	Registry *prometheus.Registry
	// Provider is the tracer provider of both sides, for the application's own spans.
	Provider *sdktrace.TracerProvider
	// Spans records every ended span, unless stackConfig.spans replaced it (then nil).
	Spans *tracetest.SpanRecorder
	// ServerLog and ClientLog receive the JSON log lines of each side.
	ServerLog, ClientLog *lineSink
}

// stackConfig says how to build a stack. The zero value is the demo service behind the
// default stack, with spans recorded and log lines kept.
//
// Stacks serve over loopback TCP: the bufconn connections of a finished test were measured to
// stay reachable after it (2 MB of buffers each), which would blur the heap measurements of
// the tests that follow.
type stackConfig struct {
	serverTracing, clientTracing []tracing.Option
	serverLogging, clientLogging []logging.Option
	// spans, if set, receives the spans instead of a SpanRecorder.
	spans sdktrace.SpanProcessor
	// serverLines and clientLines, if set, are called with each log line instead of the sink
	// keeping it.
	serverLines, clientLines func(line []byte)
	// hook runs in the demo handlers (see demo.WithHook).
	hook demo.Hook
	// register registers more services next to the demo.
	register func(*grpc.Server)
	// serverOptions come after the stack's, so interceptors among them run inside it.
	serverOptions []grpc.ServerOption
}

func startStack(t testing.TB, cfg stackConfig) *stack {
	t.Helper()
	s := &stack{
		Registry:  prometheus.NewRegistry(),
		ServerLog: &lineSink{onLine: cfg.serverLines},
		ClientLog: &lineSink{onLine: cfg.clientLines},
	}
	processor := cfg.spans
	if processor == nil {
		s.Spans = tracetest.NewSpanRecorder()
		processor = s.Spans
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(processor), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	s.Provider = tp

	serverMetrics, clientMetrics := metrics.NewServerMetrics(), metrics.NewClientMetrics()
	s.Registry.MustRegister(serverMetrics, clientMetrics)

	serverSide := interceptors.ServerOptions(
		tracing.NewServer(append([]tracing.Option{tracing.WithTracerProvider(tp)}, cfg.serverTracing...)...),
		serverMetrics,
		logging.NewServer(newLogger(s.ServerLog), cfg.serverLogging...),
	)
	clientSide := interceptors.DialOptions(
		tracing.NewClient(append([]tracing.Option{tracing.WithTracerProvider(tp)}, cfg.clientTracing...)...),
		clientMetrics,
		logging.NewClient(newLogger(s.ClientLog), cfg.clientLogging...),
	)
	s.Harness = testsrv.Start(t,
		testsrv.WithTCP(),
		testsrv.WithServerOptions(append(serverSide, cfg.serverOptions...)...),
		testsrv.WithRegister(func(srv *grpc.Server) {
			demov1.RegisterDemoServiceServer(srv, demo.NewService(demo.WithHook(cfg.hook)))
			if cfg.register != nil {
				cfg.register(srv)
			}
		}),
	)
	client, err := s.Dial(clientSide...)
	if err != nil {
		t.Fatalf("dial through the client stack: %v", err)
	}
	t.Cleanup(func() { _ = client.Close() })
	s.Client = client
	return s
}

// Demo is a DemoService client through the client stack.
func (s *stack) Demo() demov1.DemoServiceClient { return demov1.NewDemoServiceClient(s.Client) }

// RawDemo is a DemoService client without interceptors.
func (s *stack) RawDemo() demov1.DemoServiceClient { return demov1.NewDemoServiceClient(s.Conn) }

func newLogger(out io.Writer) *logrus.Logger {
	logger := logrus.New()
	logger.SetOutput(out)
	logger.SetFormatter(&jsonformat.Formatter{})
	logger.SetLevel(logrus.TraceLevel)
	return logger
}

// lineSink is a log output that splits what it receives into lines, and either keeps them or
// hands each to onLine (which then must not keep the slice).
type lineSink struct {
	onLine func(line []byte)

	mu      sync.Mutex
	partial []byte
	lines   []string
	count   int
}

func (s *lineSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	buf := append(s.partial, p...)
	for {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			break
		}
		s.count++
		if s.onLine != nil {
			s.onLine(buf[:i])
		} else {
			s.lines = append(s.lines, string(buf[:i]))
		}
		buf = buf[i+1:]
	}
	s.partial = append(s.partial[:0], buf...)
	return len(p), nil
}

// Count is the number of complete lines written so far.
func (s *lineSink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Lines returns the kept lines.
func (s *lineSink) Lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lines)
}

// Text returns the kept lines, one per line.
func (s *lineSink) Text() string { return strings.Join(s.Lines(), "\n") }

// Decoded returns the kept lines, each decoded from JSON; a line that is not one valid JSON
// object fails the test.
func (s *lineSink) Decoded(t testing.TB) []map[string]any {
	t.Helper()
	lines := s.Lines()
	out := make([]map[string]any, 0, len(lines))
	for _, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not valid JSON (%v): %q", err, line)
		}
		out = append(out, m)
	}
	return out
}

// finishLines returns the decoded "finished call" lines of a sink.
func finishLines(t testing.TB, s *lineSink) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range s.Decoded(t) {
		if m["msg"] == "finished call" {
			out = append(out, m)
		}
	}
	return out
}

// eventually polls cond until it is true, and fails the test with what() if it is still false
// at the deadline. It is for outcomes that happen on another goroutine.
func eventually(t testing.TB, cond func() bool, what func() string) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for wait := time.Millisecond; !cond(); wait = min(2*wait, 20*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still not so after %v: %s", testTimeout, what())
		}
		time.Sleep(wait)
	}
}

// ended waits until the recorder holds n ended spans, and returns them; more fails the test.
func (s *stack) ended(t testing.TB, n int) []sdktrace.ReadOnlySpan {
	t.Helper()
	eventually(t, func() bool { return len(s.Spans.Ended()) >= n }, func() string {
		return fmt.Sprintf("%d spans ended, want %d", len(s.Spans.Ended()), n)
	})
	spans := s.Spans.Ended()
	if len(spans) != n {
		t.Fatalf("%d spans ended, want %d: %v", len(spans), n, spanNames(spans))
	}
	return spans
}

func spanNames(spans []sdktrace.ReadOnlySpan) []string {
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.SpanKind().String() + " " + s.Name()
	}
	return names
}

// ofKind returns the spans of a kind.
func ofKind(spans []sdktrace.ReadOnlySpan, kind trace.SpanKind) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.SpanKind() == kind {
			out = append(out, s)
		}
	}
	return out
}

// recorded lists every string a span holds, each with where it is: its name, status,
// attributes, events and their attributes, links and their attributes, trace state and
// resource.
func recorded(span sdktrace.ReadOnlySpan) []string {
	var out []string
	add := func(where string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			out = append(out, where+" "+string(kv.Key)+"="+kv.Value.String())
		}
	}
	out = append(out, "name "+span.Name(), "status "+span.Status().Description)
	add("attribute", span.Attributes())
	for _, e := range span.Events() {
		out = append(out, "event "+e.Name)
		add("event "+e.Name, e.Attributes)
	}
	for _, l := range span.Links() {
		out = append(out, "link "+l.SpanContext.TraceID().String()+" "+l.SpanContext.TraceState().String())
		add("link", l.Attributes)
	}
	out = append(out, "tracestate "+span.SpanContext().TraceState().String())
	add("resource", span.Resource().Attributes())
	return out
}

// attrs returns a span's attributes by key.
func attrs(span sdktrace.ReadOnlySpan) map[string]string {
	m := map[string]string{}
	for _, kv := range span.Attributes() {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

func gather(t testing.TB, g prometheus.Gatherer) []*dto.MetricFamily {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	return mfs
}

// seriesKey names a series by its labels, sorted: {grpc_code="OK",grpc_method="Echo",…}.
func seriesKey(m *dto.Metric) string {
	labels := make(map[string]string, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	return labelsKey(labels)
}

func labelsKey(labels map[string]string) string {
	parts := make([]string, 0, len(labels))
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, labels[k]))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// values returns the value of every series of a counter or gauge family, by series key.
func values(t testing.TB, g prometheus.Gatherer, family string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, mf := range gather(t, g) {
		if mf.GetName() != family {
			continue
		}
		for _, m := range mf.GetMetric() {
			switch {
			case m.Counter != nil:
				out[seriesKey(m)] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				out[seriesKey(m)] = m.GetGauge().GetValue()
			default:
				t.Fatalf("%s is neither a counter nor a gauge", family)
			}
		}
	}
	return out
}

// nonZero is values without the series at 0.
func nonZero(t testing.TB, g prometheus.Gatherer, family string) map[string]float64 {
	t.Helper()
	out := values(t, g, family)
	maps.DeleteFunc(out, func(_ string, v float64) bool { return v == 0 })
	return out
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

// inFlight is the sum of both sides' in-flight gauges.
func inFlight(t testing.TB, g prometheus.Gatherer) float64 {
	t.Helper()
	var sum float64
	for _, family := range []string{"grpc_server_in_flight", "grpc_client_in_flight"} {
		for _, v := range values(t, g, family) {
			sum += v
		}
	}
	return sum
}

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// callKinds makes one successful call of each of the four kinds, with three messages on
// streams.
var callKinds = []struct {
	name string
	call func(ctx context.Context, c demov1.DemoServiceClient) error
}{
	{"Echo", func(ctx context.Context, c demov1.DemoServiceClient) error {
		_, err := c.Echo(ctx, &demov1.EchoRequest{Message: "echo"})
		return err
	}},
	{"ServerStream", func(ctx context.Context, c demov1.DemoServiceClient) error {
		stream, err := c.ServerStream(ctx, &demov1.ServerStreamRequest{Message: "server stream", Count: 3})
		if err != nil {
			return err
		}
		return drain(stream.Recv)
	}},
	{"ClientStream", func(ctx context.Context, c demov1.DemoServiceClient) error {
		stream, err := c.ClientStream(ctx)
		if err != nil {
			return err
		}
		for range 3 {
			if err := stream.Send(&demov1.ClientStreamRequest{Message: "client stream"}); err != nil {
				return err
			}
		}
		_, err = stream.CloseAndRecv()
		return err
	}},
	{"Chat", func(ctx context.Context, c demov1.DemoServiceClient) error {
		stream, err := c.Chat(ctx)
		if err != nil {
			return err
		}
		for range 3 {
			if err := stream.Send(&demov1.ChatRequest{Message: "chat"}); err != nil {
				return err
			}
			if _, err := stream.Recv(); err != nil {
				return err
			}
		}
		if err := stream.CloseSend(); err != nil {
			return err
		}
		return drain(stream.Recv)
	}},
}

// drain receives until the stream ends, and returns nil for a clean end.
func drain[T any](recv func() (T, error)) error {
	for {
		if _, err := recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

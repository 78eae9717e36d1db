package interceptors_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
)

// lockedBuffer is a log destination safe for the server's and the client's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines decodes the JSON log lines written so far.
func (b *lockedBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, raw := range bytes.Split(bytes.TrimSpace(b.buf.Bytes()), []byte("\n")) {
		if len(raw) == 0 {
			continue
		}
		var line map[string]any
		if err := json.Unmarshal(raw, &line); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		out = append(out, line)
	}
	return out
}

// fullStack is grpcobs' three signals on both sides of a harness, given to the stack in the
// order order names them ("tracing", "metrics", "logging").
type fullStack struct {
	h                  *testsrv.Harness
	spans              *tracetest.SpanRecorder
	reg                *prometheus.Registry
	logs               *lockedBuffer
	server             *metrics.ServerMetrics
	clientMetricsValue *metrics.ClientMetrics
}

func startFullStack(t *testing.T, order ...string) *fullStack {
	t.Helper()
	s := &fullStack{spans: tracetest.NewSpanRecorder(), reg: prometheus.NewRegistry(), logs: &lockedBuffer{}}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(s.spans))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	logger := logrus.New()
	logger.SetOutput(s.logs)
	logger.SetFormatter(&logrus.JSONFormatter{})
	s.server = metrics.NewServerMetrics()
	s.clientMetricsValue = metrics.NewClientMetrics()
	s.reg.MustRegister(s.server, s.clientMetricsValue)

	var servers []interceptors.ServerReportable
	var clients []interceptors.ClientReportable
	for _, name := range order {
		switch name {
		case "tracing":
			servers = append(servers, tracing.NewServer(tracing.WithTracerProvider(tp)))
			clients = append(clients, tracing.NewClient(tracing.WithTracerProvider(tp)))
		case "metrics":
			servers, clients = append(servers, s.server), append(clients, s.clientMetricsValue)
		case "logging":
			servers, clients = append(servers, logging.NewServer(logger)), append(clients, logging.NewClient(logger))
		default:
			t.Fatalf("unknown signal %q", name)
		}
	}
	s.h = testsrv.Start(t,
		testsrv.WithServerOptions(interceptors.ServerOptions(servers...)...),
		testsrv.WithDialOptions(interceptors.DialOptions(clients...)...))
	return s
}

// serverLine returns the one finished-call line of a side ("server" or "client") for method.
func (s *fullStack) finishedLine(t *testing.T, component, method string) map[string]any {
	t.Helper()
	var found []map[string]any
	deadline := time.Now().Add(5 * time.Second)
	for {
		found = found[:0]
		for _, line := range s.logs.lines(t) {
			if line["grpc.component"] == component && line["grpc.method"] == method && line["grpc.code"] != nil {
				found = append(found, line)
			}
		}
		if len(found) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(found) != 1 {
		t.Fatalf("%d finished-call lines for the %s side of %s, want 1", len(found), component, method)
	}
	return found[0]
}

// span returns the one ended span of kind for the method's span name.
func (s *fullStack) span(t *testing.T, name string, kind string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	deadline := time.Now().Add(5 * time.Second)
	for {
		found = found[:0]
		for _, sp := range s.spans.Ended() {
			if sp.Name() == name && sp.SpanKind().String() == kind {
				found = append(found, sp)
			}
		}
		if len(found) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(found) != 1 {
		t.Fatalf("%d %s spans named %s, want 1", len(found), kind, name)
	}
	return found[0]
}

// histogramSum is the sum of the one observation of a handling histogram for method.
func (s *fullStack) histogramSum(t *testing.T, family, method string) float64 {
	t.Helper()
	families, err := s.reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != family {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "grpc_method" && l.GetValue() == method && m.GetHistogram().GetSampleCount() == 1 {
					return m.GetHistogram().GetSampleSum()
				}
			}
		}
	}
	t.Fatalf("no %s series for %s with one observation", family, method)
	return 0
}

// Whatever order grpcobs' signals are given in, tracing runs first: the log lines and the
// exemplars carry the trace id of the call's span.
func TestSignalsRunInTheOrderTheyNeed(t *testing.T) {
	for _, order := range [][]string{
		{"logging", "metrics", "tracing"},
		{"metrics", "tracing", "logging"},
		{"tracing", "metrics", "logging"},
	} {
		t.Run(order[0]+"-"+order[1]+"-"+order[2], func(t *testing.T) {
			s := startFullStack(t, order...)
			if _, err := s.h.Demo().Echo(testContext(t), &demov1.EchoRequest{Message: "hi"}); err != nil {
				t.Fatalf("Echo: %v", err)
			}
			for _, side := range []struct{ component, kind string }{{"server", "server"}, {"client", "client"}} {
				span := s.span(t, demoService+"/Echo", side.kind)
				line := s.finishedLine(t, side.component, "Echo")
				if got, want := line["trace_id"], span.SpanContext().TraceID().String(); got != want {
					t.Errorf("%s log line trace_id = %v, want the span's %s", side.component, got, want)
				}
				if got, want := line["span_id"], span.SpanContext().SpanID().String(); got != want {
					t.Errorf("%s log line span_id = %v, want the span's %s", side.component, got, want)
				}
			}
			families, err := s.reg.Gather()
			if err != nil {
				t.Fatalf("gather: %v", err)
			}
			exemplars := 0
			for _, f := range families {
				if f.GetName() != "grpc_server_handled_total" {
					continue
				}
				for _, m := range f.GetMetric() {
					if e := m.GetCounter().GetExemplar(); e != nil {
						exemplars++
						if got, want := e.GetLabel()[0].GetValue(), s.span(t, demoService+"/Echo", "server").SpanContext().TraceID().String(); got != want {
							t.Errorf("exemplar trace_id = %s, want %s", got, want)
						}
					}
				}
			}
			if exemplars != 1 {
				t.Errorf("%d exemplars on grpc_server_handled_total, want 1", exemplars)
			}
		})
	}
}

// One clock: the span's end minus its start, the histogram's observation and the log line's
// grpc.time_ms are the same duration, on both sides, for unary and streaming calls.
func TestOneDurationFeedsTheSpanTheHistogramAndTheLogLine(t *testing.T) {
	s := startFullStack(t, "tracing", "metrics", "logging")
	ctx := testContext(t)
	c := s.h.Demo()
	if _, err := c.Echo(ctx, &demov1.EchoRequest{Message: "hi"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	if err := drainServerStream(ctx, c, &demov1.ServerStreamRequest{Count: 3}); err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	for _, method := range []string{"Echo", "ServerStream"} {
		for _, side := range []struct{ component, kind, family string }{
			{"server", "server", "grpc_server_handling_seconds"},
			{"client", "client", "grpc_client_handling_seconds"},
		} {
			span := s.span(t, demoService+"/"+method, side.kind)
			spanDuration := span.EndTime().Sub(span.StartTime())
			line := s.finishedLine(t, side.component, method)
			histogram := s.histogramSum(t, side.family, method)
			if want := spanDuration.Seconds(); histogram != want {
				t.Errorf("%s %s: histogram observed %v s, span lasted %v s", side.component, method, histogram, want)
			}
			if got, want := line["grpc.time_ms"], float64(spanDuration)/float64(time.Millisecond); got != want {
				t.Errorf("%s %s: grpc.time_ms = %v, span lasted %v ms", side.component, method, got, want)
			}
		}
	}
}

// serverHandledExemplars returns the trace ids of the exemplars on grpc_server_handled_total.
func serverHandledExemplars(t *testing.T, reg *prometheus.Registry) []string {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var ids []string
	for _, f := range families {
		if f.GetName() != "grpc_server_handled_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			if e := m.GetCounter().GetExemplar(); e != nil {
				for _, l := range e.GetLabel() {
					if l.GetName() == "trace_id" {
						ids = append(ids, l.GetValue())
					}
				}
			}
		}
	}
	return ids
}

// A call whose server span the tracing filter skipped still carries the caller's trace
// context, extracted by tracing: its exemplar points to the caller's trace (the client span).
// Without a sampled caller, there is no exemplar.
func TestExemplarOfAFilteredServerSpanPointsToTheCallersTrace(t *testing.T) {
	for _, tc := range []struct {
		name          string
		clientTracing bool
	}{{"traced caller", true}, {"untraced caller", false}} {
		t.Run(tc.name, func(t *testing.T) {
			spans := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
			t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
			reg := prometheus.NewRegistry()
			serverMetrics := metrics.NewServerMetrics()
			reg.MustRegister(serverMetrics)
			var dial []interceptors.ClientReportable
			if tc.clientTracing {
				dial = append(dial, tracing.NewClient(tracing.WithTracerProvider(tp)))
			}
			h := testsrv.Start(t,
				testsrv.WithServerOptions(interceptors.ServerOptions(
					tracing.NewServer(tracing.WithTracerProvider(tp), tracing.WithFilter(filter.Not(filter.Methods("/"+demoService+"/Echo")))),
					serverMetrics,
				)...),
				testsrv.WithDialOptions(interceptors.DialOptions(dial...)...))
			if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{}); err != nil {
				t.Fatalf("Echo: %v", err)
			}
			ended := spans.Ended()
			for _, sp := range ended {
				if sp.SpanKind().String() == "server" {
					t.Fatalf("the filter let a server span through: %s", sp.Name())
				}
			}
			ids := serverHandledExemplars(t, reg)
			if !tc.clientTracing {
				if len(ids) != 0 {
					t.Errorf("exemplars %v without any trace, want none", ids)
				}
				return
			}
			if len(ended) != 1 {
				t.Fatalf("%d spans, want the client's", len(ended))
			}
			if want := ended[0].SpanContext().TraceID().String(); len(ids) != 1 || ids[0] != want {
				t.Errorf("exemplars %v, want the caller's trace %s", ids, want)
			}
		})
	}
}

// handWritten is a service registered without generated code (a hand-written ServiceDesc, as
// gogo-generated code or a proxy registers one): nothing declares it in the protobuf registry.
var handWritten = grpc.ServiceDesc{
	ServiceName: "hand.written.v1.Notes",
	HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{
		{StreamName: "Add", Handler: testsrv.EchoAnything, ServerStreams: true, ClientStreams: true},
	},
}

// A method registered on the server is known to the stack's signals without InitializeMetrics
// or any option: its series and its server span carry its own name. A name the server does not
// serve stays "other".
func TestRegisteredMethodsAreKnownWithoutInitializeMetrics(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	reg := prometheus.NewRegistry()
	serverMetrics := metrics.NewServerMetrics()
	reg.MustRegister(serverMetrics)
	h := testsrv.Start(t,
		testsrv.WithServerOptions(append(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tp)), serverMetrics),
			grpc.UnknownServiceHandler(testsrv.EchoAnything))...),
		testsrv.WithRegister(func(srv *grpc.Server) { srv.RegisterService(&handWritten, struct{}{}) }))
	for _, method := range []string{"/hand.written.v1.Notes/Add", "/hand.written.v1.Notes/Remove"} {
		if err := h.Conn.Invoke(testContext(t), method, &demov1.EchoRequest{}, &demov1.EchoResponse{}); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	started := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "grpc_server_started_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "grpc_method" && m.GetCounter().GetValue() > 0 {
					started[l.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	if started["Add"] != 1 || started["other"] != 1 || len(started) != 2 {
		t.Errorf("grpc_server_started_total by method %v, want Add 1 and other 1", started)
	}
	var names []string
	for _, sp := range spans.Ended() {
		names = append(names, sp.Name())
	}
	if !slices.Contains(names, "hand.written.v1.Notes/Add") || !slices.Contains(names, "grpc") || len(names) != 2 {
		t.Errorf("server spans %v, want hand.written.v1.Notes/Add and grpc", names)
	}
}

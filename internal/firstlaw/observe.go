package firstlaw

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// Timeout bounds every wait for records written on another goroutine. It is a deadline
// against hangs, never a performance assertion.
const Timeout = 30 * time.Second

// LateDuplicateWait is how long ExpectRecords waits, once every record it expects is in,
// before it counts them again: a call reported twice shows up as a second record by then.
const LateDuplicateWait = 300 * time.Millisecond

// Observers are the sinks grpcobs' signals record to in these tests: one span recorder and
// one registry for both sides, and a logger per side that keeps every entry, at every level.
type Observers struct {
	Spans                      *tracetest.SpanRecorder
	Registry                   *prometheus.Registry
	ServerLogger, ClientLogger *logrus.Logger
	ServerLog, ClientLog       *logtest.Hook
}

// NewObservers returns empty sinks.
func NewObservers() *Observers {
	o := &Observers{Spans: tracetest.NewSpanRecorder(), Registry: prometheus.NewRegistry()}
	o.ServerLogger, o.ServerLog = newLogger()
	o.ClientLogger, o.ClientLog = newLogger()
	return o
}

func newLogger() (*logrus.Logger, *logtest.Hook) {
	logger, hook := logtest.NewNullLogger()
	logger.SetLevel(logrus.TraceLevel)
	return logger, hook
}

// TracerProvider returns a provider that records to o.Spans with sampler, shut down when the
// test ends.
func (o *Observers) TracerProvider(t testing.TB, sampler sdktrace.Sampler) *sdktrace.TracerProvider {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(o.Spans), sdktrace.WithSampler(sampler))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

// FullStack returns grpcobs' whole stack for each side, as a user wires it (tracing, then
// metrics, then logging), sampling every call and recording to new observers. The client
// follows every attempt (tracing.WithAttemptSpans, metrics.WithAttempts), so DialOptions also
// installs its stats handler: the suites that use FullStack prove that it too leaves the
// calls as they are.
func FullStack(t testing.TB) (*Observers, []grpc.ServerOption, []grpc.DialOption) {
	o := NewObservers()
	tp := o.TracerProvider(t, sdktrace.AlwaysSample())
	serverMetrics, clientMetrics := metrics.NewServerMetrics(), metrics.NewClientMetrics(metrics.WithAttempts())
	o.Registry.MustRegister(serverMetrics, clientMetrics)
	server := interceptors.ServerOptions(
		tracing.NewServer(tracing.WithTracerProvider(tp)),
		serverMetrics,
		logging.NewServer(o.ServerLogger),
	)
	client := interceptors.DialOptions(
		tracing.NewClient(tracing.WithTracerProvider(tp), tracing.WithAttemptSpans()),
		clientMetrics,
		logging.NewClient(o.ClientLogger),
	)
	return o, server, client
}

// Side is the client or the server, as the signals name it.
type Side struct {
	Name     string
	SpanKind trace.SpanKind
	// Started and Handled are the side's grpc_*_started_total and grpc_*_handled_total
	// families, InFlight its in-flight gauge.
	Started, Handled, InFlight string
	isClient                   bool
}

// The two sides.
var (
	ClientSide = Side{Name: "client", SpanKind: trace.SpanKindClient, Started: "grpc_client_started_total", Handled: "grpc_client_handled_total", InFlight: "grpc_client_in_flight", isClient: true}
	ServerSide = Side{Name: "server", SpanKind: trace.SpanKindServer, Started: "grpc_server_started_total", Handled: "grpc_server_handled_total", InFlight: "grpc_server_in_flight"}
)

// IsCallSpan says whether span is one of the side's call spans. With attempt spans
// (tracing.WithAttemptSpans) the client's call span is INTERNAL, and each attempt's span is a
// CLIENT span named Attempt.* (AbandonedAttempt.* when grpc-go abandoned the attempt), which
// is not a call.
func (s Side) IsCallSpan(span sdktrace.ReadOnlySpan) bool {
	if !s.isClient {
		return span.SpanKind() == s.SpanKind
	}
	if strings.HasPrefix(span.Name(), "Attempt.") || strings.HasPrefix(span.Name(), "AbandonedAttempt.") {
		return false
	}
	return span.SpanKind() == trace.SpanKindClient || span.SpanKind() == trace.SpanKindInternal
}

// Records are the codes one side's signals recorded, one per record (a span, a handled
// increment, a "finished call" line), by name and sorted.
type Records struct {
	Spans, Handled, Lines []string
	// Started is the side's started counter and InFlight its in-flight gauge, each summed
	// over its series.
	Started, InFlight float64
}

// Records returns what a side's signals recorded so far.
func (o *Observers) Records(t testing.TB, s Side) Records {
	t.Helper()
	var spans, handled, lines []codes.Code
	for _, span := range o.Spans.Ended() {
		if s.IsCallSpan(span) {
			spans = append(spans, spanCode(t, span.Attributes()))
		}
	}
	for code, n := range counterByCode(t, o.Registry, s.Handled) {
		for range int(n) {
			handled = append(handled, code)
		}
	}
	hook := o.ServerLog
	if s.isClient {
		hook = o.ClientLog
	}
	for _, e := range hook.AllEntries() {
		if e.Message != "finished call" {
			continue
		}
		name, _ := e.Data[logging.FieldCode].(string)
		code, ok := codeByName[name]
		if !ok {
			t.Fatalf("%s finished-call line has %s=%q, not a gRPC code", s.Name, logging.FieldCode, name)
		}
		lines = append(lines, code)
	}
	return Records{
		Spans:    CodeNames(spans),
		Handled:  CodeNames(handled),
		Lines:    CodeNames(lines),
		Started:  sum(t, o.Registry, s.Started),
		InFlight: sum(t, o.Registry, s.InFlight),
	}
}

// ExpectRecords asserts that a side recorded exactly one span, one handled increment and one
// finished-call line per call, each with that call's code (want, one per call, in any order),
// and that no call is still in flight. It waits for the records to come in, then waits
// LateDuplicateWait and counts again, so that a late duplicate fails it too.
func (o *Observers) ExpectRecords(t testing.TB, s Side, want []codes.Code) {
	t.Helper()
	names := CodeNames(want)
	o.Expect(t, s, Records{Spans: names, Handled: names, Lines: names, Started: float64(len(names))})
}

// Expect asserts that a side's records are want: it waits until there are at least as many
// as want has, with nothing in flight (or Timeout passes), then waits LateDuplicateWait and
// compares, so that a late duplicate fails it too.
func (o *Observers) Expect(t testing.TB, s Side, want Records) {
	t.Helper()
	o.waitRecords(t, s, func(r Records) bool {
		return len(r.Spans) >= len(want.Spans) && len(r.Handled) >= len(want.Handled) &&
			len(r.Lines) >= len(want.Lines) && r.Started >= want.Started && r.InFlight == 0
	})
	time.Sleep(LateDuplicateWait)
	if diff := cmp.Diff(want, o.Records(t, s), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s side records, one per call with its code, nothing in flight (-want +got):\n%s", s.Name, diff)
	}
}

// ExpectAgreement asserts that a side's signals agree: once every call that started on it has
// ended (the handled increments reach the started counter and nothing is in flight), each call
// has one span, one handled increment and one finished-call line, all with the same code, and
// still so after LateDuplicateWait. It returns the codes' names, sorted.
func (o *Observers) ExpectAgreement(t testing.TB, s Side) []string {
	t.Helper()
	o.waitRecords(t, s, func(r Records) bool {
		n := int(r.Started)
		return len(r.Spans) >= n && len(r.Handled) >= n && len(r.Lines) >= n && r.InFlight == 0
	})
	time.Sleep(LateDuplicateWait)
	got := o.Records(t, s)
	expected := Records{Spans: got.Handled, Handled: got.Handled, Lines: got.Handled, Started: float64(len(got.Handled))}
	if diff := cmp.Diff(expected, got); diff != "" {
		t.Errorf("%s side records: a span and a finished-call line per handled increment, with its code, one per started call, nothing in flight (-want +got):\n%s", s.Name, diff)
	}
	return got.Handled
}

// waitRecords polls a side's records until complete says they are, or Timeout passes.
func (o *Observers) waitRecords(t testing.TB, s Side, complete func(Records) bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !complete(o.Records(t, s)) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

// CodeNames returns the codes' names as grpc-go spells them, sorted by code.
func CodeNames(cs []codes.Code) []string {
	sorted := append([]codes.Code(nil), cs...)
	slices.Sort(sorted)
	out := make([]string, len(sorted))
	for i, c := range sorted {
		out[i] = c.String()
	}
	return out
}

// codeByName maps grpc-go's spelling of each code ("DeadlineExceeded", as logs and metrics
// write it) and the specification's ("DEADLINE_EXCEEDED", as spans write it) to the code.
var codeByName = func() map[string]codes.Code {
	canonical := [...]string{"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
		"NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
		"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
		"UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"}
	m := map[string]codes.Code{}
	for c, name := range canonical {
		m[name] = codes.Code(c)
		m[codes.Code(c).String()] = codes.Code(c)
	}
	return m
}()

// spanCode is the code a span recorded, from rpc.response.status_code (current semantic
// conventions) or rpc.grpc.status_code (older ones).
func spanCode(t testing.TB, attrs []attribute.KeyValue) codes.Code {
	t.Helper()
	for _, kv := range attrs {
		switch kv.Key {
		case "rpc.response.status_code":
			if code, ok := codeByName[kv.Value.AsString()]; ok {
				return code
			}
			t.Fatalf("span has rpc.response.status_code=%q, not a gRPC code", kv.Value.AsString())
		case "rpc.grpc.status_code":
			return codes.Code(kv.Value.AsInt64())
		}
	}
	t.Fatalf("span has no status code attribute: %v", attrs)
	return 0
}

// counterByCode sums a counter family's series by their grpc_code label.
func counterByCode(t testing.TB, g prometheus.Gatherer, family string) map[codes.Code]float64 {
	t.Helper()
	out := map[codes.Code]float64{}
	for _, m := range metricsOf(t, g, family) {
		for _, l := range m.GetLabel() {
			if l.GetName() != "grpc_code" {
				continue
			}
			code, ok := codeByName[l.GetValue()]
			if !ok {
				t.Fatalf("%s has grpc_code=%q, not a gRPC code", family, l.GetValue())
			}
			out[code] += m.GetCounter().GetValue()
		}
	}
	return out
}

// sum sums the series of a counter or gauge family.
func sum(t testing.TB, g prometheus.Gatherer, family string) float64 {
	t.Helper()
	var total float64
	for _, m := range metricsOf(t, g, family) {
		total += m.GetCounter().GetValue() + m.GetGauge().GetValue()
	}
	return total
}

func metricsOf(t testing.TB, g prometheus.Gatherer, family string) []*dto.Metric {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() == family {
			return mf.GetMetric()
		}
	}
	return nil
}

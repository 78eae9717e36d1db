package metrics_test

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// tracedStack is a stack whose calls each get a span from a real SDK tracer, sampled or not.
func tracedStack(t *testing.T, sampler sdktrace.Sampler) (*stack, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler), sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	return startStack(t, stackConfig{tracer: tp.Tracer("test")}), rec
}

// traceIDOf is the trace ID of the one ended span with the name.
func traceIDOf(t *testing.T, rec *tracetest.SpanRecorder, name string) string {
	t.Helper()
	var ids []string
	for _, span := range rec.Ended() {
		if span.Name() == name {
			ids = append(ids, span.SpanContext().TraceID().String())
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%d ended spans named %q, want 1", len(ids), name)
	}
	return ids[0]
}

// exemplarsOf lists the trace_id of every exemplar of a series: the counter's, or the
// histogram's classic buckets' and native exemplars.
func exemplarsOf(m *dto.Metric) []string {
	var exemplars []*dto.Exemplar
	if c := m.GetCounter(); c != nil && c.GetExemplar() != nil {
		exemplars = append(exemplars, c.GetExemplar())
	}
	for _, b := range m.GetHistogram().GetBucket() {
		if b.GetExemplar() != nil {
			exemplars = append(exemplars, b.GetExemplar())
		}
	}
	exemplars = append(exemplars, m.GetHistogram().GetExemplars()...)
	ids := make([]string, 0, len(exemplars))
	for _, e := range exemplars {
		ids = append(ids, labelMap(e.GetLabel())["trace_id"])
	}
	return ids
}

func TestSampledCallsCarryTheirTraceIDAsExemplar(t *testing.T) {
	s, rec := tracedStack(t, sdktrace.AlwaysSample())
	if _, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{Message: "traced"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	chat, err := s.Demo().Chat(t.Context())
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if err := chat.Send(&demov1.ChatRequest{FailCode: int32(codes.Aborted)}); err != nil {
		t.Fatalf("Chat send: %v", err)
	}
	if _, err := chat.Recv(); status.Code(err) != codes.Aborted {
		t.Fatalf("Chat: got %v, want code Aborted", err)
	}

	for _, call := range []struct {
		labels labels
		code   codes.Code
	}{
		{demoMethod(interceptors.Unary, "Echo"), codes.OK},
		{demoMethod(interceptors.BidiStream, "Chat"), codes.Aborted},
	} {
		for _, side := range []string{"server", "client"} {
			want := traceIDOf(t, rec, side+" /"+call.labels["grpc_service"]+"/"+call.labels["grpc_method"])
			handled := must(t, s.reg, "grpc_"+side+"_handled_total", call.labels.with("grpc_code", call.code.String()))
			if got := exemplarsOf(handled); len(got) != 1 || got[0] != want {
				t.Errorf("grpc_%s_handled_total%v exemplars: got trace IDs %v, want [%s]", side, call.labels, got, want)
			}
			// One observation: one bucket holds the exemplar.
			histogram := must(t, s.reg, "grpc_"+side+"_handling_seconds", call.labels)
			if got := exemplarsOf(histogram); len(got) != 1 || got[0] != want {
				t.Errorf("grpc_%s_handling_seconds%v exemplars: got trace IDs %v, want [%s]", side, call.labels, got, want)
			}
			for _, name := range []string{"started_total", "msg_sent_total", "msg_received_total"} {
				if got := exemplarsOf(must(t, s.reg, "grpc_"+side+"_"+name, call.labels)); len(got) != 0 {
					t.Errorf("grpc_%s_%s%v has exemplars %v, want none", side, name, call.labels, got)
				}
			}
		}
	}
}

func TestUnsampledCallsCarryNoExemplar(t *testing.T) {
	s, rec := tracedStack(t, sdktrace.NeverSample())
	makeEveryKindOfCall(t.Context(), t, s.Demo())
	if len(rec.Ended()) != 0 {
		t.Fatalf("%d spans recorded with NeverSample, want 0", len(rec.Ended()))
	}
	series := 0
	for _, mf := range gather(t, s.reg) {
		for _, m := range mf.GetMetric() {
			series++
			if got := exemplarsOf(m); len(got) != 0 {
				t.Errorf("%s%v has exemplars %v, want none: no span was sampled", mf.GetName(), labelMap(m.GetLabel()), got)
			}
		}
	}
	// 6 series of every method on each side, plus the second code of Echo and ServerStream.
	if want := 2 * (4*6 + 2); series != want {
		t.Errorf("gathered %d series, want %d", series, want)
	}
}

func TestExemplarsShowInOpenMetricsOutput(t *testing.T) {
	s, rec := tracedStack(t, sdktrace.AlwaysSample())
	if _, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{Message: "traced"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	traceID := traceIDOf(t, rec, "server /"+demoService+"/Echo")

	body, contentType := scrape(t, s.reg, "application/openmetrics-text; version=1.0.0")
	if !strings.HasPrefix(contentType, "application/openmetrics-text") {
		t.Fatalf("Content-Type %q, want OpenMetrics", contentType)
	}
	const number = `[0-9.e+-]+`
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^grpc_server_handled_total\{grpc_code="OK",grpc_method="Echo",grpc_service="grpcobs\.demo\.v1\.DemoService",grpc_type="unary"\} 1\.0 # \{trace_id="` + traceID + `"\} 1\.0 ` + number + `$`),
		regexp.MustCompile(`(?m)^grpc_server_handling_seconds_bucket\{grpc_method="Echo",grpc_service="grpcobs\.demo\.v1\.DemoService",grpc_type="unary",le="` + number + `"\} 1 # \{trace_id="` + traceID + `"\} ` + number + ` ` + number + `$`),
	} {
		if !want.MatchString(body) {
			t.Errorf("OpenMetrics output has no line matching\n\t%s\noutput:\n%s", want, body)
		}
	}

	// The classic text format has no exemplars: they only show when OpenMetrics is asked for.
	if body, _ := scrape(t, s.reg, "text/plain"); strings.Contains(body, traceID) {
		t.Errorf("text format output contains the trace ID %s, want it only in OpenMetrics", traceID)
	}
}

// scrape serves the registry the way /metrics does and returns the body and content type.
func scrape(t *testing.T, reg *prometheus.Registry, accept string) (body, contentType string) {
	t.Helper()
	handler := promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", accept)
	rr := httptest.NewRecorder()
	handler.ServeHTTP(rr, req)
	if rr.Code != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", rr.Code)
	}
	b, err := io.ReadAll(rr.Body)
	if err != nil {
		t.Fatalf("read /metrics: %v", err)
	}
	return string(b), rr.Header().Get("Content-Type")
}

// fakeClock is the clock of exemplar intervals in tests: it moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// exemplarProbe reports calls to DemoService/Echo straight to a ServerMetrics, each with a
// span of its own or none, a code and a duration of the test's choosing, and reads back the
// exemplars of that method's series.
type exemplarProbe struct {
	t     *testing.T
	reg   *prometheus.Registry
	m     *metrics.ServerMetrics
	clock *fakeClock
}

func newExemplarProbe(t *testing.T, opts ...metrics.Option) *exemplarProbe {
	t.Helper()
	p := &exemplarProbe{t: t, reg: prometheus.NewRegistry(), clock: newFakeClock()}
	p.m = metrics.NewServerMetrics(append([]metrics.Option{metrics.WithClock(p.clock.Now)}, opts...)...)
	p.reg.MustRegister(p.m)
	return p
}

var echoCall = mw.NewServerCallMeta("/"+demoService+"/Echo", nil, nil)

// traceID is the n-th trace of a test.
func traceID(n byte) trace.TraceID {
	return trace.TraceID{0: 0xab, 7: 0xcd, 15: n}
}

// sampledCtx is the context of a call whose span, of the n-th trace, is sampled.
func sampledCtx(n byte) context.Context {
	return trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: traceID(n), SpanID: trace.SpanID{7: 1}, TraceFlags: trace.FlagsSampled,
	}))
}

// unsampledCtx is the context of a call whose span, of the n-th trace, is not sampled.
func unsampledCtx(n byte) context.Context {
	return trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: traceID(n), SpanID: trace.SpanID{7: 1},
	}))
}

// call reports one Echo call that ended with code after d.
func (p *exemplarProbe) call(ctx context.Context, code codes.Code, d time.Duration) {
	rep, _ := p.m.ServerReporter(ctx, echoCall)
	rep.PostMsgReceive(nil, nil, 0)
	var err error
	if code != codes.OK {
		err = status.Error(code, "failed")
	}
	rep.PostCall(err, d)
}

// handled is the trace ID of the exemplar of Echo's handled counter for code, "" if none.
func (p *exemplarProbe) handled(code codes.Code) string {
	p.t.Helper()
	m := must(p.t, p.reg, "grpc_server_handled_total", demoMethod(interceptors.Unary, "Echo").with("grpc_code", code.String()))
	if e := m.GetCounter().GetExemplar(); e != nil {
		return labelMap(e.GetLabel())["trace_id"]
	}
	return ""
}

// buckets are the trace IDs of the exemplars of Echo's histogram, by bucket (le).
func (p *exemplarProbe) buckets() map[string]string {
	p.t.Helper()
	out := map[string]string{}
	for _, b := range must(p.t, p.reg, "grpc_server_handling_seconds", demoMethod(interceptors.Unary, "Echo")).GetHistogram().GetBucket() {
		if e := b.GetExemplar(); e != nil {
			out[strconv.FormatFloat(b.GetUpperBound(), 'g', -1, 64)] = labelMap(e.GetLabel())["trace_id"]
		}
	}
	return out
}

// check fails the test unless the exemplars of Echo are exactly these: the trace ID on each
// code's handled counter (codes not listed have none) and in each bucket (idem).
func (p *exemplarProbe) check(step string, handled map[codes.Code]string, buckets map[string]string) {
	p.t.Helper()
	for code := codes.OK; code <= codes.Unauthenticated; code++ {
		m := find(p.t, p.reg, "grpc_server_handled_total", demoMethod(interceptors.Unary, "Echo").with("grpc_code", code.String()))
		if m == nil {
			if handled[code] != "" {
				p.t.Errorf("%s: no handled series for %v, want exemplar %s", step, code, handled[code])
			}
			continue
		}
		if got := p.handled(code); got != handled[code] {
			p.t.Errorf("%s: handled{grpc_code=%q} exemplar %q, want %q", step, code, got, handled[code])
		}
	}
	if got := p.buckets(); !maps.Equal(got, buckets) {
		p.t.Errorf("%s: bucket exemplars %v, want %v", step, got, buckets)
	}
}

func TestWithExemplarIntervalZeroReplacesTheExemplarOnEverySampledCall(t *testing.T) {
	p := newExemplarProbe(t, metrics.WithExemplarInterval(0))
	for n := byte(1); n <= 3; n++ {
		p.call(sampledCtx(n), codes.OK, time.Millisecond) // le="0.001"
		id := traceID(n).String()
		p.check(fmt.Sprintf("sampled call %d", n), map[codes.Code]string{codes.OK: id}, map[string]string{"0.001": id})
	}
	p.call(unsampledCtx(4), codes.OK, time.Millisecond)
	id := traceID(3).String()
	p.check("unsampled call", map[codes.Code]string{codes.OK: id}, map[string]string{"0.001": id})
}

func TestAnExemplarStaysForTheExemplarInterval(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []metrics.Option
		interval time.Duration
	}{
		{"default", nil, time.Second},
		{"10ms", []metrics.Option{metrics.WithExemplarInterval(10 * time.Millisecond)}, 10 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newExemplarProbe(t, tc.opts...)
			first, second, third := traceID(1).String(), traceID(3).String(), traceID(5).String()

			p.call(sampledCtx(1), codes.OK, 2*time.Millisecond) // le="0.0025"
			p.check("first sampled call", map[codes.Code]string{codes.OK: first}, map[string]string{"0.0025": first})

			p.clock.Advance(tc.interval - time.Nanosecond)
			p.call(sampledCtx(2), codes.OK, 2*time.Millisecond)
			p.check("sampled call within the interval", map[codes.Code]string{codes.OK: first}, map[string]string{"0.0025": first})

			p.clock.Advance(time.Nanosecond)
			p.call(unsampledCtx(9), codes.OK, 2*time.Millisecond)
			p.check("unsampled call after the interval", map[codes.Code]string{codes.OK: first}, map[string]string{"0.0025": first})
			p.call(sampledCtx(3), codes.OK, 2*time.Millisecond)
			p.check("sampled call after the interval", map[codes.Code]string{codes.OK: second}, map[string]string{"0.0025": second})

			p.call(sampledCtx(4), codes.OK, 2*time.Millisecond)
			p.check("sampled call at the same time", map[codes.Code]string{codes.OK: second}, map[string]string{"0.0025": second})

			p.clock.Advance(10 * tc.interval)
			p.call(sampledCtx(5), codes.OK, 2*time.Millisecond)
			p.check("sampled call long after", map[codes.Code]string{codes.OK: third}, map[string]string{"0.0025": third})

			// Every call was counted and observed, with an exemplar or without.
			if got := value(t, p.reg, "grpc_server_handled_total", demoMethod(interceptors.Unary, "Echo").with("grpc_code", "OK")); got != 6 {
				t.Errorf("handled %v calls, want 6", got)
			}
			if got := sampleCount(t, p.reg, "grpc_server_handling_seconds", demoMethod(interceptors.Unary, "Echo")); got != 6 {
				t.Errorf("observed %d calls, want 6", got)
			}
		})
	}
}

// The case exemplars are for: the trace of the rare slow (or failed) call. Each code's counter
// and each bucket has its own interval, so a call that lands where no other call did recently
// gets its exemplar, whatever the calls around it.
func TestASampledCallGetsAnExemplarWhereThereWasNoneRecently(t *testing.T) {
	p := newExemplarProbe(t) // the default interval; the clock does not move
	id := func(n byte) string { return traceID(n).String() }

	p.call(sampledCtx(1), codes.OK, time.Millisecond)
	p.call(sampledCtx(2), codes.OK, time.Millisecond)
	p.check("fast calls", map[codes.Code]string{codes.OK: id(1)}, map[string]string{"0.001": id(1)})

	p.call(sampledCtx(3), codes.OK, 3*time.Second) // le="5"
	p.check("then a slow call", map[codes.Code]string{codes.OK: id(1)}, map[string]string{"0.001": id(1), "5": id(3)})

	p.call(sampledCtx(4), codes.Internal, time.Millisecond)
	p.check("then a failed fast call", map[codes.Code]string{codes.OK: id(1), codes.Internal: id(4)},
		map[string]string{"0.001": id(1), "5": id(3)})

	p.call(sampledCtx(5), codes.OK, time.Minute) // beyond the last bound: +Inf
	p.check("then a call slower than every bucket", map[codes.Code]string{codes.OK: id(1), codes.Internal: id(4)},
		map[string]string{"0.001": id(1), "5": id(3), "+Inf": id(5)})

	// A duration on a bound belongs to that bucket (le is inclusive), one just above it to the
	// next: each gets its own exemplar, in the bucket where the histogram counted it.
	p.call(sampledCtx(6), codes.OK, 5*time.Millisecond+time.Nanosecond)
	p.call(sampledCtx(7), codes.OK, 5*time.Millisecond)
	p.call(sampledCtx(8), codes.OK, 10*time.Millisecond)
	p.check("then calls on and around a bound", map[codes.Code]string{codes.OK: id(1), codes.Internal: id(4)},
		map[string]string{"0.001": id(1), "0.005": id(7), "0.01": id(6), "5": id(3), "+Inf": id(5)})
}

func TestAnUnsampledCallLeavesTheExemplarSlotFree(t *testing.T) {
	p := newExemplarProbe(t)
	p.call(unsampledCtx(1), codes.OK, time.Millisecond)
	p.call(context.Background(), codes.OK, time.Millisecond)
	p.check("unsampled calls", nil, map[string]string{})
	p.call(sampledCtx(2), codes.OK, time.Millisecond)
	p.check("then a sampled call", map[codes.Code]string{codes.OK: traceID(2).String()}, map[string]string{"0.001": traceID(2).String()})
}

// A native-only histogram has no classic buckets to spread its exemplars: they are spread over
// the default bucket bounds, so the native exemplars keep the slow call's too.
func TestNativeOnlyHistogramsKeepTheExemplarsOfSlowCalls(t *testing.T) {
	p := newExemplarProbe(t, metrics.WithHistogramBuckets(math.Inf(1)), metrics.WithNativeHistograms(1.1))
	p.call(sampledCtx(1), codes.OK, time.Millisecond)
	p.call(sampledCtx(2), codes.OK, time.Millisecond)
	p.call(sampledCtx(3), codes.OK, 3*time.Second)
	p.call(sampledCtx(4), codes.OK, time.Millisecond)
	h := must(t, p.reg, "grpc_server_handling_seconds", demoMethod(interceptors.Unary, "Echo")).GetHistogram()
	var native []string
	for _, e := range h.GetExemplars() {
		native = append(native, labelMap(e.GetLabel())["trace_id"])
	}
	if want := []string{traceID(1).String(), traceID(3).String()}; !slices.Equal(native, want) {
		t.Errorf("native exemplars %v, want %v", native, want)
	}
	if got, want := p.buckets(), map[string]string{"+Inf": traceID(3).String()}; !maps.Equal(got, want) {
		t.Errorf("classic exemplars %v, want %v", got, want)
	}
}

// A sampled call whose counter and bucket already have a recent exemplar costs the metrics
// one allocation: the reporter that carries its trace ID to the end of the call.
func TestASampledCallWithoutExemplarAllocatesOnlyItsReporter(t *testing.T) {
	for _, side := range []string{"server", "client"} {
		t.Run(side, func(t *testing.T) {
			clock := newFakeClock()
			server, client := metrics.NewServerMetrics(metrics.WithClock(clock.Now)), metrics.NewClientMetrics(metrics.WithClock(clock.Now))
			ctx := sampledCtx(1)
			call := func() {
				var rep interceptors.Reporter
				if side == "server" {
					rep, _ = server.ServerReporter(ctx, echoCall)
				} else {
					rep, _ = client.ClientReporter(ctx, mw.NewClientCallMeta("/"+demoService+"/Echo", nil, nil))
				}
				rep.PostMsgReceive(nil, nil, time.Microsecond)
				rep.PostMsgSend(nil, nil, time.Microsecond)
				rep.PostCall(nil, time.Millisecond)
			}
			call() // takes the exemplars
			if allocs := testing.AllocsPerRun(1000, call); allocs != 1 {
				t.Errorf("%v allocations per sampled call, want 1", allocs)
			}
		})
	}
}

// Concurrent sampled calls race for the same slots; the race detector watches, and every call
// is still counted.
func TestConcurrentSampledCalls(t *testing.T) {
	p := newExemplarProbe(t, metrics.WithExemplarInterval(time.Millisecond))
	const goroutines, calls = 8, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range calls {
				p.clock.Advance(time.Duration(i%2) * time.Millisecond)
				p.call(sampledCtx(byte(g+1)), codes.OK, time.Duration(i%3)*time.Second)
			}
		})
	}
	wg.Wait()
	if got := value(t, p.reg, "grpc_server_handled_total", demoMethod(interceptors.Unary, "Echo").with("grpc_code", "OK")); got != goroutines*calls {
		t.Errorf("handled %v calls, want %d", got, goroutines*calls)
	}
	if got := sampleCount(t, p.reg, "grpc_server_handling_seconds", demoMethod(interceptors.Unary, "Echo")); got != goroutines*calls {
		t.Errorf("observed %d calls, want %d", got, goroutines*calls)
	}
	if p.handled(codes.OK) == "" || len(p.buckets()) != 3 {
		t.Errorf("exemplars: handled %q, buckets %v; want one on the counter and on each of 3 buckets", p.handled(codes.OK), p.buckets())
	}
}

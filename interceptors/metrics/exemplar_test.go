package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
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

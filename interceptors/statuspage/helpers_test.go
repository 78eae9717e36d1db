package statuspage_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/statuspage"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"github.com/sirupsen/logrus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// newPage returns a page closed when the test ends.
func newPage(t testing.TB, opts ...statuspage.Option) *statuspage.Page {
	t.Helper()
	p, err := statuspage.New(opts...)
	if err != nil {
		t.Fatalf("statuspage.New: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

// tracedHarness starts the demo server and a client, both with tracing (sampling every call,
// recorded by rec) and the page in their grpcobs stacks.
func tracedHarness(t testing.TB, page *statuspage.Page, extra ...testsrv.Option) (*testsrv.Harness, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	opts := append([]testsrv.Option{
		testsrv.WithServerOptions(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tp)), page)...),
		testsrv.WithDialOptions(interceptors.DialOptions(tracing.NewClient(tracing.WithTracerProvider(tp)), page)...),
	}, extra...)
	return testsrv.Start(t, opts...), rec
}

// get serves one request to the page and returns the response's body.
func get(t testing.TB, page http.Handler, target string) (*http.Response, []byte) {
	t.Helper()
	w := httptest.NewRecorder()
	page.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	resp := w.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	return resp, body
}

// pageStatus is the part of the page's JSON the tests read. The health section is package
// health's report layout, read field by field (healthServices, healthChecks), not copied.
type pageStatus struct {
	GeneratedAt    time.Time      `json:"generated_at"`
	Server         sideRows       `json:"server"`
	Client         sideRows       `json:"client"`
	Health         map[string]any `json:"health"`
	HealthTimeline []transition   `json:"health_timeline"`
}

// healthServices is the health section's "services": each service's status by name.
func (s pageStatus) healthServices(t testing.TB) map[string]any {
	t.Helper()
	services, ok := s.Health["services"].(map[string]any)
	if !ok {
		t.Fatalf("the health section's services are %T %v, want an object", s.Health["services"], s.Health["services"])
	}
	return services
}

// healthChecks is the health section's "checks", each a JSON object.
func (s pageStatus) healthChecks(t testing.TB) []map[string]any {
	t.Helper()
	list, ok := s.Health["checks"].([]any)
	if !ok {
		t.Fatalf("the health section's checks are %T %v, want an array", s.Health["checks"], s.Health["checks"])
	}
	checks := make([]map[string]any, 0, len(list))
	for _, c := range list {
		m, ok := c.(map[string]any)
		if !ok {
			t.Fatalf("a check is %T %v, want an object", c, c)
		}
		checks = append(checks, m)
	}
	return checks
}

type sideRows struct {
	Methods        []methodRow `json:"methods"`
	RecentFailures []call      `json:"recent_failures"`
	Slowest        []call      `json:"slowest"`
}

type methodRow struct {
	Service           string  `json:"service"`
	Method            string  `json:"method"`
	Type              string  `json:"type"`
	InFlight          int64   `json:"in_flight"`
	Calls             int64   `json:"calls"`
	Errors            int64   `json:"errors"`
	CallsPerSecond1m  float64 `json:"calls_per_second_1m"`
	CallsPerSecond10m float64 `json:"calls_per_second_10m"`
	ErrorRatio1m      float64 `json:"error_ratio_1m"`
	ErrorRatio10m     float64 `json:"error_ratio_10m"`
	P50Seconds        float64 `json:"latency_p50_seconds"`
	P95Seconds        float64 `json:"latency_p95_seconds"`
	P99Seconds        float64 `json:"latency_p99_seconds"`
	Histogram         []struct {
		LESeconds *float64 `json:"le_seconds"`
		Count     int64    `json:"count"`
	} `json:"latency_histogram_10m"`
}

type call struct {
	Service         string    `json:"service"`
	Method          string    `json:"method"`
	CountedAs       string    `json:"counted_as"`
	Code            string    `json:"code"`
	Message         string    `json:"message"`
	DurationSeconds float64   `json:"duration_seconds"`
	Start           time.Time `json:"start"`
	TraceID         string    `json:"trace_id"`
	TraceURL        string    `json:"trace_url"`
}

type transition struct {
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	From  string `json:"from"`
	To    string `json:"to"`
	Error string `json:"error"`
}

// readStatus reads the page's JSON.
func readStatus(t testing.TB, page http.Handler) pageStatus {
	t.Helper()
	resp, body := get(t, page, "/debug/grpcobs?format=json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET ?format=json: %s: %s", resp.Status, body)
	}
	var s pageStatus
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatalf("the page's JSON: %v\n%s", err, body)
	}
	return s
}

// row returns the row of a method ("other" for the other row), failing the test without one.
func (s sideRows) row(t testing.TB, service, method string) methodRow {
	t.Helper()
	for _, m := range s.Methods {
		if m.Service == service && m.Method == method {
			return m
		}
	}
	t.Fatalf("no row for %s/%s in %+v", service, method, s.Methods)
	return methodRow{}
}

// clock is a settable clock for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// quietLogger discards what the health registry logs.
func quietLogger() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

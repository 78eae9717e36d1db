package statuspage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/interceptors/statuspage"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// An outage and its recovery show in the timeline: the check's transitions, with its error,
// and those of the services it gates; the page shows where everything stands now.
func TestHealthTimeline(t *testing.T) {
	var down atomic.Bool
	registry := health.NewRegistry(health.WithLogger(quietLogger()))
	err := registry.Register("db", health.CheckFunc(func(context.Context) error {
		if down.Load() {
			return errors.New("connection refused")
		}
		return nil
	}), health.Every(10*time.Millisecond), health.FailureThreshold(1))
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	if err := registry.AddService("grpcobs.demo.v1.DemoService"); err != nil {
		t.Fatalf("AddService: %v", err)
	}
	page := newPage(t, statuspage.WithHealth(registry), statuspage.WithHealthPolling(10*time.Millisecond, 50))
	// The timeline starts at the page's first read, which must see the check pending: read
	// before the registry starts, not when the page's poll gets to run (under load, once after
	// the check had passed, so the timeline began with db passing and had no pending→passing).
	readStatus(t, page)
	registry.Start(context.Background())
	t.Cleanup(registry.Stop)

	waitForTransition(t, page, transition{Kind: "check", Name: "db", From: "pending", To: "passing"})
	down.Store(true)
	waitForTransition(t, page, transition{Kind: "check", Name: "db", From: "passing", To: "failing", Error: "connection refused"})
	waitForTransition(t, page, transition{Kind: "service", Name: "readiness", From: "SERVING", To: "NOT_SERVING"})
	down.Store(false)
	waitForTransition(t, page, transition{Kind: "check", Name: "db", From: "failing", To: "passing"})

	s := readStatus(t, page)
	if checks := s.healthChecks(t); len(checks) != 1 || checks[0]["name"] != "db" || checks[0]["status"] != "passing" {
		t.Errorf("checks %v, want db passing", checks)
	}
	services := s.healthServices(t)
	for _, name := range []string{"", "readiness", "liveness", "grpcobs.demo.v1.DemoService"} {
		if services[name] != "SERVING" {
			t.Errorf("service %q: %v, want SERVING (all: %v)", name, services[name], services)
		}
	}
	if len(services) != 4 {
		t.Errorf("services %v, want those 4", services)
	}
	// Newest first: readiness came back after it went down; the first report is where the
	// timeline starts.
	var readiness []string
	for _, tr := range s.HealthTimeline {
		if tr.Kind == "service" && tr.Name == "readiness" {
			readiness = append(readiness, tr.From+"→"+tr.To)
		}
	}
	if want := []string{"NOT_SERVING→SERVING", "SERVING→NOT_SERVING", "NOT_SERVING→SERVING", "→NOT_SERVING"}; !slices.Equal(readiness, want) {
		t.Errorf("readiness transitions %q, want %q", readiness, want)
	}

	registry.Shutdown()
	waitForTransition(t, page, transition{Kind: "shutdown", From: "running", To: "shut down"})
}

// The timeline keeps the number of transitions it was given, the newest.
func TestHealthTimelineIsBounded(t *testing.T) {
	registry := health.NewRegistry(health.WithLogger(quietLogger()))
	short := newPage(t, statuspage.WithHealth(registry), statuspage.WithHealthPolling(time.Hour, 3))
	long := newPage(t, statuspage.WithHealth(registry), statuspage.WithHealthPolling(time.Hour, 100))
	// The first read starts each timeline (three services come in as SERVING), whether the
	// page's own poll or this one makes it.
	readStatus(t, short)
	readStatus(t, long)
	for range 4 {
		registry.Shutdown()
		readStatus(t, short) // serving the page reads the report too
		readStatus(t, long)
		registry.Resume()
		readStatus(t, short)
		readStatus(t, long)
	}
	got, all := readStatus(t, short).HealthTimeline, readStatus(t, long).HealthTimeline
	if len(all) != 3+32 || !slices.Equal(got, all[:3]) {
		t.Errorf("timeline %+v, want the 3 newest of the 35: %+v", got, all)
	}
}

func waitForTransition(t *testing.T, page *statuspage.Page, want transition) {
	t.Helper()
	waitFor(t, func() bool {
		for _, tr := range readStatus(t, page).HealthTimeline {
			if tr == want {
				return true
			}
		}
		return false
	})
}

// Each check shows its settings: how often it runs, its timeout and its thresholds.
func TestHealthChecksShowTheirThresholds(t *testing.T) {
	registry := health.NewRegistry(health.WithLogger(quietLogger()))
	err := registry.Register("db", health.CheckFunc(func(context.Context) error { return nil }),
		health.Every(7*time.Second), health.Timeout(2*time.Second), health.FailureThreshold(4), health.SuccessThreshold(2))
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	page := newPage(t, statuspage.WithHealth(registry), statuspage.WithHealthPolling(time.Hour, 10))
	s := readStatus(t, page)
	checks := s.healthChecks(t)
	if len(checks) != 1 {
		t.Fatalf("checks %v, want db", checks)
	}
	c := checks[0]
	// JSON numbers decode as float64.
	if c["interval_seconds"] != 7.0 || c["timeout_seconds"] != 2.0 || c["failure_threshold"] != 4.0 || c["success_threshold"] != 2.0 {
		t.Errorf("db shows every %vs, timeout %vs, thresholds %v/%v; want 7s, 2s, 4/2", c["interval_seconds"], c["timeout_seconds"], c["failure_threshold"], c["success_threshold"])
	}
	_, body := get(t, page, "/debug/grpcobs")
	for _, want := range []string{`<td class="num threshold">4 / 2</td>`, `<td class="num">7s</td><td class="num">2s</td>`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the page does not show %s:\n%s", want, body)
		}
	}
}

// The health section is package health's report, in its own layout: the same JSON the
// health package writes for the registry's report (statuses by name, overrides, checks with
// their settings, errors and runs), byte for byte once compacted.
func TestHealthSectionIsTheReportsJSON(t *testing.T) {
	registry := health.NewRegistry(health.WithLogger(quietLogger()))
	for name, err := range map[string]error{"db": errors.New("dependency down"), "cache": nil} {
		if err := registry.Register(name, health.CheckFunc(func(context.Context) error { return err }),
			health.Every(time.Hour), health.FailureThreshold(1), health.NonCritical()); err != nil {
			t.Fatalf("Register %s: %v", name, err)
		}
	}
	if err := registry.SetServingStatus("pkg.Manual", healthpb.HealthCheckResponse_NOT_SERVING); err != nil {
		t.Fatalf("SetServingStatus: %v", err)
	}
	registry.Start(context.Background())
	t.Cleanup(registry.Stop)
	// Each check runs once at the start, then not for an hour: the report stands still.
	waitFor(t, func() bool {
		rep := registry.Report()
		return rep.Checks[0].Status == health.Passing && rep.Checks[1].Status == health.Failing
	})
	page := newPage(t, statuspage.WithHealth(registry), statuspage.WithHealthPolling(time.Hour, 10))

	_, body := get(t, page, "/debug/grpcobs?format=json")
	var s struct {
		Health json.RawMessage `json:"health"`
	}
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatalf("the page's JSON: %v", err)
	}
	var got bytes.Buffer
	if err := json.Compact(&got, s.Health); err != nil {
		t.Fatalf("compact the health section: %v", err)
	}
	want, err := json.Marshal(registry.Report())
	if err != nil {
		t.Fatalf("marshal the report: %v", err)
	}
	if got.String() != string(want) {
		t.Errorf("the page's health section\n%s\nis not the report's JSON\n%s", got.String(), want)
	}
	for _, field := range []string{`"overrides":{"pkg.Manual":"NOT_SERVING"}`, `"last_error":"dependency down"`, `"status":"failing"`} {
		if !strings.Contains(got.String(), field) {
			t.Errorf("the health section lacks %s: %s", field, got.String())
		}
	}
}

// The page shows check names and errors as safe text: valid UTF-8, cut at the page's caps
// (256 bytes of a name, 512 of an error, then "…"), in the health section and the timeline
// alike, and leaves the registry's own report whole.
func TestHealthNamesAndErrorsAreSafeText(t *testing.T) {
	longName := "db-" + strings.Repeat("n", 300)
	longErr := "dial: \xff" + strings.Repeat("e", 1000)
	registry := health.NewRegistry(health.WithLogger(quietLogger()))
	if err := registry.Register(longName, health.CheckFunc(func(context.Context) error { return errors.New(longErr) }),
		health.Every(time.Hour), health.FailureThreshold(1)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	registry.Start(context.Background())
	t.Cleanup(registry.Stop)
	waitFor(t, func() bool { return registry.Report().Checks[0].Status == health.Failing })
	page := newPage(t, statuspage.WithHealth(registry), statuspage.WithHealthPolling(time.Hour, 10))

	s := readStatus(t, page)
	checks := s.healthChecks(t)
	if len(checks) != 1 {
		t.Fatalf("checks %v, want one", checks)
	}
	name, _ := checks[0]["name"].(string)
	lastErr, _ := checks[0]["last_error"].(string)
	wantName := longName[:256] + "…"
	wantErr := ("dial: \uFFFD" + strings.Repeat("e", 1000))[:512] + "…"
	if name != wantName {
		t.Errorf("name %q (%d bytes), want the first 256 bytes then …", name, len(name))
	}
	if lastErr != wantErr {
		t.Errorf("last_error %q (%d bytes), want valid UTF-8, its first 512 bytes then …", lastErr, len(lastErr))
	}
	var inTimeline bool
	for _, tr := range s.HealthTimeline {
		if tr.Kind == "check" && tr.To == "failing" {
			inTimeline = tr.Name == wantName && tr.Error == wantErr
		}
	}
	if !inTimeline {
		t.Errorf("the timeline %+v lacks the check's failure with its safe name and error", s.HealthTimeline)
	}
	if rep := registry.Report(); rep.Checks[0].Name != longName || rep.Checks[0].LastError.Error() != longErr {
		t.Error("the page changed the registry's report")
	}
}

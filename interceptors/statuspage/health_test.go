package statuspage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/interceptors/statuspage"
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
	registry.Start(context.Background())
	t.Cleanup(registry.Stop)

	waitForTransition(t, page, transition{Kind: "check", Name: "db", From: "pending", To: "passing"})
	down.Store(true)
	waitForTransition(t, page, transition{Kind: "check", Name: "db", From: "passing", To: "failing", Error: "connection refused"})
	waitForTransition(t, page, transition{Kind: "service", Name: "readiness", From: "SERVING", To: "NOT_SERVING"})
	down.Store(false)
	waitForTransition(t, page, transition{Kind: "check", Name: "db", From: "failing", To: "passing"})

	s := readStatus(t, page)
	if len(s.Health.Checks) != 1 || s.Health.Checks[0].Status != "passing" {
		t.Errorf("checks %+v, want db passing", s.Health.Checks)
	}
	services := map[string]string{}
	for _, sv := range s.Health.Services {
		services[sv.Name] = sv.Status
	}
	for _, name := range []string{"", "readiness", "liveness", "grpcobs.demo.v1.DemoService"} {
		if services[name] != "SERVING" {
			t.Errorf("service %q: %q, want SERVING (all: %v)", name, services[name], services)
		}
	}
	// Newest first: readiness came back after it went down; the first report is where the
	// timeline starts.
	var readiness []string
	for _, tr := range s.Health.Timeline {
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
	got, all := readStatus(t, short).Health.Timeline, readStatus(t, long).Health.Timeline
	if len(all) != 3+32 || !slices.Equal(got, all[:3]) {
		t.Errorf("timeline %+v, want the 3 newest of the 35: %+v", got, all)
	}
}

func waitForTransition(t *testing.T, page *statuspage.Page, want transition) {
	t.Helper()
	waitFor(t, func() bool {
		for _, tr := range readStatus(t, page).Health.Timeline {
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
	checks := readStatus(t, page).Health.Checks
	if len(checks) != 1 {
		t.Fatalf("checks %+v, want db", checks)
	}
	c := checks[0]
	if c.IntervalSeconds != 7 || c.TimeoutSeconds != 2 || c.FailureThreshold != 4 || c.SuccessThreshold != 2 {
		t.Errorf("db shows every %vs, timeout %vs, thresholds %d/%d; want 7s, 2s, 4/2", c.IntervalSeconds, c.TimeoutSeconds, c.FailureThreshold, c.SuccessThreshold)
	}
	_, body := get(t, page, "/debug/grpcobs")
	if !strings.Contains(string(body), `<td class="num threshold">4 / 2</td>`) {
		t.Errorf("the page does not show the thresholds 4 / 2:\n%s", body)
	}
}

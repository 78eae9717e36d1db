package health_test

import (
	"context"
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/grpcobs/grpcobs/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// bubbleStart is when time starts in a synctest bubble.
var bubbleStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// takes returns a checker that takes d (of fake time), then answers what dep says.
func takes(d time.Duration, dep *dependency) health.CheckFunc {
	return func(ctx context.Context) error {
		time.Sleep(d)
		return dep.Check(ctx)
	}
}

// reportStory registers a critical database check and a non-critical cache check, runs
// them twice 10s apart, the database failing the second time, and returns the registry.
func reportStory(t *testing.T) *health.Registry {
	t.Helper()
	r, _ := newRegistry(t)
	db, cache := &dependency{}, &dependency{}
	if err := r.Register("db", takes(250*time.Millisecond, db), health.FailureThreshold(1)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if err := r.Register("cache", takes(time.Millisecond, cache), health.NonCritical(), health.Gates("pkg.Cache")); err != nil {
		t.Fatalf("Register: %v", err)
	}
	r.Start(t.Context())
	advance(time.Second)
	db.set(errDown)
	advance(10 * time.Second)
	return r
}

func TestReportIsASnapshotOfEveryCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := reportStory(t)
		secondRun := bubbleStart.Add(10 * time.Second)
		want := health.Report{
			Services: map[string]healthpb.HealthCheckResponse_ServingStatus{
				"": notServing, "liveness": serving, "readiness": notServing, "pkg.Cache": serving,
			},
			Checks: []health.CheckReport{
				{
					Name: "cache", Status: health.Passing, Critical: false, Gates: []string{"pkg.Cache"},
					LastRun: secondRun, LastDuration: time.Millisecond, ConsecutiveSuccesses: 2,
					Interval: health.DefaultInterval, Timeout: health.DefaultTimeout,
					FailureThreshold: health.DefaultFailureThreshold, SuccessThreshold: health.DefaultSuccessThreshold,
				},
				{
					Name: "db", Status: health.Failing, Critical: true, Gates: []string{"", "readiness"},
					LastError: errDown, LastRun: secondRun, LastDuration: 250 * time.Millisecond, ConsecutiveFailures: 1,
					Interval: health.DefaultInterval, Timeout: health.DefaultTimeout,
					FailureThreshold: 1, SuccessThreshold: health.DefaultSuccessThreshold,
				},
			},
		}
		if diff := cmp.Diff(want, r.Report(), cmpopts.EquateErrors()); diff != "" {
			t.Errorf("Report (-want +got):\n%s", diff)
		}
	})
}

func TestReportAsJSON(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := reportStory(t)
		if err := r.Register("new", health.CheckFunc(passes), health.InitialDelay(time.Hour)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		got, err := json.Marshal(r.Report())
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		const want = `{"shutdown":false,` +
			`"services":{"":"NOT_SERVING","liveness":"SERVING","pkg.Cache":"SERVING","readiness":"NOT_SERVING"},` +
			`"checks":[` +
			`{"name":"cache","status":"passing","critical":false,"gates":["pkg.Cache"],"last_run":"2000-01-01T00:00:10Z","last_duration_seconds":0.001,"consecutive_failures":0,"consecutive_successes":2,"interval_seconds":10,"timeout_seconds":1,"failure_threshold":3,"success_threshold":1},` +
			`{"name":"db","status":"failing","critical":true,"gates":["","readiness"],"last_error":"dependency down","last_run":"2000-01-01T00:00:10Z","last_duration_seconds":0.25,"consecutive_failures":1,"consecutive_successes":0,"interval_seconds":10,"timeout_seconds":1,"failure_threshold":1,"success_threshold":1},` +
			`{"name":"new","status":"pending","critical":true,"gates":["","readiness"],"last_duration_seconds":0,"consecutive_failures":0,"consecutive_successes":0,"interval_seconds":10,"timeout_seconds":1,"failure_threshold":3,"success_threshold":1}` +
			`]}`
		if string(got) != want {
			t.Errorf("JSON report:\n got %s\nwant %s", got, want)
		}
	})
}

func TestReportAsJSONShowsTheStatusesSetByHand(t *testing.T) {
	r, _ := newRegistry(t)
	if err := r.SetServingStatus("pkg.Held", healthpb.HealthCheckResponse_NOT_SERVING); err != nil {
		t.Fatalf("SetServingStatus: %v", err)
	}
	got, err := json.Marshal(r.Report())
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	const want = `{"shutdown":false,` +
		`"services":{"":"SERVING","liveness":"SERVING","pkg.Held":"NOT_SERVING","readiness":"SERVING"},` +
		`"overrides":{"pkg.Held":"NOT_SERVING"},"checks":[]}`
	if string(got) != want {
		t.Errorf("JSON report:\n got %s\nwant %s", got, want)
	}
}

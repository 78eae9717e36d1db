package health_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// These tests run in a synctest bubble: time is fake and advances only when every
// goroutine of the bubble is blocked, so the schedule is exact and nothing sleeps for real.

// runLog is a checker that notes when each run started, relative to the bubble's start.
type runLog struct {
	epoch time.Time
	work  func(ctx context.Context) error

	mu     sync.Mutex
	starts []time.Duration
}

func newRunLog(work func(ctx context.Context) error) *runLog {
	return &runLog{epoch: time.Now(), work: work}
}

func (l *runLog) Check(ctx context.Context) error {
	l.mu.Lock()
	l.starts = append(l.starts, time.Since(l.epoch))
	work := l.work
	l.mu.Unlock()
	if work == nil {
		return nil
	}
	return work(ctx)
}

func (l *runLog) setWork(work func(ctx context.Context) error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.work = work
}

func (l *runLog) runs() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.starts...)
}

// advance lets fake time pass and waits until every goroutine of the bubble is blocked.
func advance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

func onlyCheck(t *testing.T, r *health.Registry) health.CheckReport {
	t.Helper()
	checks := r.Report().Checks
	if len(checks) != 1 {
		t.Fatalf("Report has %d checks, want 1", len(checks))
	}
	return checks[0]
}

func TestThresholdsWorkLikeKubernetesProbes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		r.Start(t.Context())
		dep := &dependency{}
		if err := r.Register("dep", dep, health.Every(time.Second), health.FailureThreshold(3), health.SuccessThreshold(2)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		synctest.Wait() // the first run, at once on a started registry

		type state struct {
			Status               health.CheckStatus
			Readiness            healthpb.HealthCheckResponse_ServingStatus
			ConsecutiveFailures  int
			ConsecutiveSuccesses int
		}
		for i, step := range []struct {
			result error // of the run the step is about; the first run passes
			want   state
		}{
			{nil, state{health.Pending, notServing, 0, 1}}, // one success of two needed
			{nil, state{health.Passing, serving, 0, 2}},
			{errDown, state{health.Passing, serving, 1, 0}},
			{errDown, state{health.Passing, serving, 2, 0}},
			{errDown, state{health.Failing, notServing, 3, 0}}, // failure threshold reached
			{nil, state{health.Failing, notServing, 0, 1}},
			{errDown, state{health.Failing, notServing, 1, 0}}, // successes must be in a row
			{nil, state{health.Failing, notServing, 0, 1}},
			{nil, state{health.Passing, serving, 0, 2}},
		} {
			if i > 0 {
				dep.set(step.result)
				advance(time.Second)
			}
			ck := onlyCheck(t, r)
			readiness, _ := r.Status(health.Readiness)
			got := state{ck.Status, readiness, ck.ConsecutiveFailures, ck.ConsecutiveSuccesses}
			if diff := cmp.Diff(step.want, got); diff != "" {
				t.Fatalf("after run %d (-want +got):\n%s", i+1, diff)
			}
		}
		if got, want := dep.runCount(), 9; got != want {
			t.Errorf("runs = %d, want %d", got, want)
		}
	})
}

func TestAPendingCheckFailsAtItsFirstFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		dep := &dependency{err: errDown}
		if err := r.Register("dep", dep, health.FailureThreshold(5)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		synctest.Wait()
		ck := onlyCheck(t, r)
		if ck.Status != health.Failing || !errors.Is(ck.LastError, errDown) || ck.ConsecutiveFailures != 1 {
			t.Errorf("after one failed run: status %v, error %v, %d failures; want failing, %v, 1", ck.Status, ck.LastError, ck.ConsecutiveFailures, errDown)
		}
	})
}

func TestInitialDelayThenEveryInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		log := newRunLog(nil)
		if err := r.Register("dep", log, health.InitialDelay(5*time.Second), health.Every(10*time.Second)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		advance(4 * time.Second)
		if got := onlyCheck(t, r).Status; got != health.Pending {
			t.Errorf("status during the initial delay = %v, want pending", got)
		}
		advance(32 * time.Second)
		r.Stop()
		want := []time.Duration{5 * time.Second, 15 * time.Second, 25 * time.Second, 35 * time.Second}
		if diff := cmp.Diff(want, log.runs()); diff != "" {
			t.Errorf("run start times (-want +got):\n%s", diff)
		}
	})
}

func TestDefaultsAreKubernetesDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		dep := &dependency{}
		log := newRunLog(dep.Check)
		if err := r.Register("dep", log); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		advance(25 * time.Second)
		if diff := cmp.Diff([]time.Duration{0, 10 * time.Second, 20 * time.Second}, log.runs()); diff != "" {
			t.Errorf("run start times with the default interval (-want +got):\n%s", diff)
		}
		dep.set(errDown)
		advance(10 * time.Second) // 1 failure
		advance(10 * time.Second) // 2 failures
		if got := onlyCheck(t, r).Status; got != health.Passing {
			t.Fatalf("status after 2 failures = %v, want passing (default failure threshold 3)", got)
		}
		advance(10 * time.Second) // 3 failures
		if got := onlyCheck(t, r).Status; got != health.Failing {
			t.Fatalf("status after 3 failures = %v, want failing", got)
		}
		// Default timeout: 1s.
		log.setWork(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		advance(10 * time.Second)
		if got, want := onlyCheck(t, r).LastDuration, time.Second; got != want {
			t.Errorf("duration of a run cut at the default timeout = %v, want %v", got, want)
		}
	})
}

func TestASlowRunDelaysTheNextOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		log := newRunLog(func(context.Context) error { time.Sleep(3 * time.Second); return nil })
		if err := r.Register("slow", log, health.Every(2*time.Second), health.Timeout(10*time.Second)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		advance(10 * time.Second)
		if diff := cmp.Diff([]time.Duration{0, 3 * time.Second, 6 * time.Second, 9 * time.Second}, log.runs()); diff != "" {
			t.Errorf("run start times (-want +got):\n%s", diff)
		}
		if got, want := onlyCheck(t, r).LastDuration, 3*time.Second; got != want {
			t.Errorf("LastDuration = %v, want %v", got, want)
		}
	})
}

func TestAHungCheckerIsCutOffAndNeverRunsTwiceAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		release := make(chan struct{})
		log := newRunLog(func(context.Context) error { <-release; return nil }) // ignores its context
		if err := r.Register("hung", log, health.Every(10*time.Second), health.Timeout(time.Second)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())

		advance(time.Second)
		ck := onlyCheck(t, r)
		if ck.Status != health.Failing || ck.LastError == nil || ck.LastError.Error() != "check timed out after 1s" ||
			!errors.Is(ck.LastError, context.DeadlineExceeded) || ck.LastDuration != time.Second {
			t.Fatalf("after the timeout: status %v, error %v, duration %v; want failing, \"check timed out after 1s\" (DeadlineExceeded), 1s",
				ck.Status, ck.LastError, ck.LastDuration)
		}

		advance(9 * time.Second) // the next run is due, but the first one still hangs
		ck = onlyCheck(t, r)
		const wantErr = "previous run still running after 10s: the checker ignores its context, no new run starts until it returns"
		if ck.LastError == nil || ck.LastError.Error() != wantErr || ck.ConsecutiveFailures != 2 || ck.LastDuration != 0 {
			t.Errorf("while stuck: error %v, %d failures, duration %v; want %q, 2, 0", ck.LastError, ck.ConsecutiveFailures, ck.LastDuration, wantErr)
		}
		if got := len(log.runs()); got != 1 {
			t.Errorf("started %d runs while the first one hangs, want 1", got)
		}

		close(release) // the hung run returns at last
		advance(10 * time.Second)
		ck = onlyCheck(t, r)
		if ck.Status != health.Passing || ck.LastError != nil {
			t.Errorf("after the hung run returned: status %v, error %v; want passing, nil", ck.Status, ck.LastError)
		}
		if diff := cmp.Diff([]time.Duration{0, 20 * time.Second}, log.runs()); diff != "" {
			t.Errorf("run start times (-want +got):\n%s", diff)
		}
	})
}

func TestACheckerThatHonoursItsContextTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		waits := health.CheckFunc(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		if err := r.Register("waits", waits, health.Timeout(2*time.Second)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		advance(2 * time.Second)
		ck := onlyCheck(t, r)
		if ck.LastError == nil || ck.LastError.Error() != "check timed out after 2s" || !errors.Is(ck.LastError, context.DeadlineExceeded) {
			t.Errorf("error = %v, want \"check timed out after 2s\" matching context.DeadlineExceeded", ck.LastError)
		}
		if ck.LastDuration != 2*time.Second {
			t.Errorf("LastDuration = %v, want 2s", ck.LastDuration)
		}
	})
}

func TestACheckerErrorAtItsTimeoutSaysBoth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		dialer := health.CheckFunc(func(ctx context.Context) error {
			<-ctx.Done()
			return errors.New("dial tcp 10.0.0.1:5432: i/o timeout")
		})
		if err := r.Register("db", dialer, health.Timeout(time.Second)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		advance(time.Second)
		synctest.Wait()
		// The checker returns at the deadline, in the same instant as the timeout: whichever
		// the registry sees first, the error says it timed out.
		got := onlyCheck(t, r).LastError
		want := map[string]bool{
			"check timed out after 1s":                                      true, // the timeout came first
			"check timed out after 1s: dial tcp 10.0.0.1:5432: i/o timeout": true, // the error did
		}
		if got == nil || !want[got.Error()] || !errors.Is(got, context.DeadlineExceeded) {
			t.Errorf("error = %v, want one of %v, matching context.DeadlineExceeded", got, want)
		}
	})
}

func TestAPanickingCheckerFailsWithThePanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, hook := newRegistry(t)
		if err := r.Register("panics", health.CheckFunc(func(context.Context) error { panic("boom") })); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		synctest.Wait()
		ck := onlyCheck(t, r)
		if ck.Status != health.Failing || ck.LastError == nil || ck.LastError.Error() != "check panicked: boom" {
			t.Fatalf("status %v, error %v; want failing, \"check panicked: boom\"", ck.Status, ck.LastError)
		}
		var warned bool
		for _, e := range hook.AllEntries() {
			if e.Message == "health check failing" {
				warned = true
				stack, _ := e.Data["health.panic_stack"].(string)
				if !strings.Contains(stack, "TestAPanickingCheckerFailsWithThePanic") {
					t.Errorf("the failure line's panic stack does not show the panicking checker:\n%s", stack)
				}
			}
		}
		if !warned {
			t.Errorf("no \"health check failing\" line was logged")
		}
	})
}

func TestACheckerThatCallsGoexitFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		if err := r.Register("goexit", health.CheckFunc(func(context.Context) error { runtime.Goexit(); return nil })); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		synctest.Wait()
		const want = "check called runtime.Goexit instead of returning"
		if got := onlyCheck(t, r).LastError; got == nil || got.Error() != want {
			t.Errorf("error = %v, want %q", got, want)
		}
	})
}

func TestStopWaitsForARunThatHonoursItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		var returned bool
		cleansUp := health.CheckFunc(func(ctx context.Context) error {
			<-ctx.Done()
			time.Sleep(100 * time.Millisecond) // closing what it opened
			returned = true
			return ctx.Err()
		})
		if err := r.Register("db", cleansUp, health.Timeout(5*time.Second)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		start := time.Now()
		r.Start(t.Context())
		advance(time.Second)
		r.Stop()
		if !returned {
			t.Errorf("Stop returned before the running checker did")
		}
		if got, want := time.Since(start), 1100*time.Millisecond; got != want {
			t.Errorf("Stop returned at %v, want %v", got, want)
		}
		if ck := onlyCheck(t, r); ck.Status != health.Pending || !ck.LastRun.IsZero() {
			t.Errorf("the run cancelled by Stop was recorded: %+v", ck)
		}
	})
}

func TestStopLeavesAHungCheckerBehindAtItsTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		release := make(chan struct{})
		if err := r.Register("hung", health.CheckFunc(func(context.Context) error { <-release; return nil }), health.Timeout(5*time.Second)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		start := time.Now()
		r.Start(t.Context())
		advance(time.Second)
		r.Stop()
		if got, want := time.Since(start), 5*time.Second; got != want {
			t.Errorf("Stop returned at %v, want at the run's timeout, %v", got, want)
		}
		close(release) // the bubble ends only when every goroutine has
	})
}

func TestLifecycleCallsInAnyOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		dep := &dependency{}
		if err := r.Register("dep", dep); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		r.Start(t.Context()) // does nothing
		synctest.Wait()
		if got := dep.runCount(); got != 1 {
			t.Errorf("runs after Start twice = %d, want 1", got)
		}
		r.Stop()
		r.Stop()
		r.Start(t.Context()) // does nothing after Stop
		late := &dependency{}
		if err := r.Register("late", late); err != nil {
			t.Fatalf("Register after Stop: %v", err)
		}
		advance(time.Minute)
		if got := dep.runCount() + late.runCount(); got != 1 {
			t.Errorf("runs after Stop = %d, want none", got-1)
		}
	})
}

func TestStopBeforeStartAndNilContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		dep := &dependency{}
		if err := r.Register("dep", dep); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Stop()
		r.Start(nil) //lint:ignore SA1012 a nil context must not panic
		advance(time.Minute)
		if got := dep.runCount(); got != 0 {
			t.Errorf("runs after Stop then Start = %d, want 0", got)
		}

		r2, _ := newRegistry(t)
		if err := r2.Register("dep", dep); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r2.Start(nil) //lint:ignore SA1012 a nil context means Background
		synctest.Wait()
		if got := dep.runCount(); got != 1 {
			t.Errorf("runs after Start(nil) = %d, want 1", got)
		}
	})
}

func TestCancellingStartsContextStopsTheChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		dep := &dependency{}
		if err := r.Register("dep", dep, health.Every(time.Second)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		r.Start(ctx)
		advance(1500 * time.Millisecond)
		cancel()
		advance(time.Minute)
		if got := dep.runCount(); got != 2 {
			t.Errorf("runs = %d, want 2 (at 0s and 1s, none after the cancel)", got)
		}
	})
}

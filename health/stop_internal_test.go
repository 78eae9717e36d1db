package health

import (
	"context"
	"io"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sirupsen/logrus"
)

// These tests reach inside the loop: the race they pin down (a timer and a stop ready at
// the same instant) cannot be arranged from outside.

func quietRegistry(t *testing.T) *Registry {
	t.Helper()
	logger := logrus.New()
	logger.SetOutput(io.Discard)
	r := NewRegistry(WithLogger(logger))
	t.Cleanup(r.Stop)
	return r
}

// TestStopWinsOverADueTimer: when the next run is due and the registry is stopping at the
// same time, select alone would pick either at random; the loop must stop every time.
func TestStopWinsOverADueTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		for i := range 200 { // a coin flip would pass 200 times in a row once in 2^200
			timer := time.NewTimer(time.Second)
			time.Sleep(time.Second) // the timer is due, and ctx has ended: both are ready
			if waitTurn(ctx, timer) {
				t.Fatalf("attempt %d: the loop took its turn although the registry was stopping", i)
			}
			timer.Stop()
		}
	})
}

// TestAStuckRunRecordsNothingOnceStopping: while an abandoned run hangs, each due turn
// records a stuck failure, but not once Stop was called or Start's context ended.
func TestAStuckRunRecordsNothingOnceStopping(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop func(r *Registry, cancel context.CancelFunc)
	}{
		{"Stop", func(r *Registry, _ context.CancelFunc) { r.Stop() }},
		{"context", func(_ *Registry, cancel context.CancelFunc) { cancel() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := quietRegistry(t)
			if err := r.Register("hung", CheckFunc(func(context.Context) error { return nil })); err != nil {
				t.Fatalf("Register: %v", err)
			}
			ck := r.checks["hung"]
			stuck := &abandonedRun{start: time.Now(), done: make(chan error)} // never returns
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()

			if got := r.runOnce(ctx, ck, stuck); got != stuck {
				t.Fatalf("runOnce forgot the stuck run")
			}
			if got := r.Report().Checks[0].ConsecutiveFailures; got != 1 {
				t.Fatalf("failures while running = %d, want 1 (the stuck run)", got)
			}

			tc.stop(r, cancel)
			r.runOnce(ctx, ck, stuck)
			if got := r.Report().Checks[0].ConsecutiveFailures; got != 1 {
				t.Errorf("failures after stopping = %d, want still 1: a stuck failure was recorded after the stop", got)
			}
		})
	}
}

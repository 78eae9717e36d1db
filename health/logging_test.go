package health_test

import (
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/health"
	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"
)

// line is a log entry with its error as text, to compare.
type line struct {
	Level   logrus.Level
	Message string
	Fields  logrus.Fields
}

func lines(hook *test.Hook) []line {
	var out []line
	for _, e := range hook.AllEntries() {
		fields := logrus.Fields{}
		for k, v := range e.Data {
			if err, ok := v.(error); ok {
				v = err.Error()
			}
			fields[k] = v
		}
		out = append(out, line{Level: e.Level, Message: e.Message, Fields: fields})
	}
	return out
}

func TestTransitionsAreLogged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, hook := newRegistry(t)
		dep := &dependency{}
		if err := r.Register("db", dep, health.Every(time.Second), health.FailureThreshold(2)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		synctest.Wait() // passes
		dep.set(errDown)
		advance(time.Second) // fails once: below the threshold
		advance(time.Second) // fails twice: failing
		advance(time.Second) // fails again: already failing, nothing to say
		dep.set(nil)
		advance(time.Second) // recovers
		r.Shutdown()
		r.Resume()
		synctest.Wait() // the queued lines are written

		serviceLine := func(service, status string) line {
			return line{logrus.InfoLevel, "health service status changed", logrus.Fields{"health.service": service, "health.status": status}}
		}
		want := []line{
			// Register: the pending check holds what it gates.
			serviceLine("", "NOT_SERVING"),
			serviceLine("readiness", "NOT_SERVING"),
			{logrus.InfoLevel, "health check passing", logrus.Fields{
				"health.check": "db", "health.status": "passing", "health.previous_status": "pending",
				"health.critical": true, "health.consecutive_successes": 1,
			}},
			serviceLine("", "SERVING"),
			serviceLine("readiness", "SERVING"),
			{logrus.DebugLevel, "health check run failed", logrus.Fields{
				"health.check": "db", "error": "dependency down",
				"health.consecutive_failures": 1, "health.failure_threshold": 2,
			}},
			{logrus.WarnLevel, "health check failing", logrus.Fields{
				"health.check": "db", "health.status": "failing", "health.previous_status": "passing",
				"health.critical": true, "error": "dependency down", "health.consecutive_failures": 2,
			}},
			serviceLine("", "NOT_SERVING"),
			serviceLine("readiness", "NOT_SERVING"),
			{logrus.InfoLevel, "health check passing", logrus.Fields{
				"health.check": "db", "health.status": "passing", "health.previous_status": "failing",
				"health.critical": true, "health.consecutive_successes": 1,
			}},
			serviceLine("", "SERVING"),
			serviceLine("readiness", "SERVING"),
			{logrus.InfoLevel, "health shut down: every service NOT_SERVING until resumed", logrus.Fields{}},
			serviceLine("", "NOT_SERVING"),
			serviceLine("liveness", "NOT_SERVING"),
			serviceLine("readiness", "NOT_SERVING"),
			{logrus.InfoLevel, "health resumed: services follow their checks again", logrus.Fields{}},
			serviceLine("", "SERVING"),
			serviceLine("liveness", "SERVING"),
			serviceLine("readiness", "SERVING"),
		}
		if diff := cmp.Diff(want, lines(hook)); diff != "" {
			t.Errorf("log lines (-want +got):\n%s", diff)
		}
	})
}

func TestWithLoggerTakesAnEntryAndIgnoresNil(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logger, hook := newLogger()
		r := health.NewRegistry(health.WithLogger(logger.WithField("component", "health")), health.WithLogger(nil), nil)
		t.Cleanup(r.Stop)
		r.Shutdown()
		synctest.Wait() // the queued lines are written
		got := lines(hook)
		if len(got) == 0 || got[0].Fields["component"] != "health" {
			t.Errorf("lines = %+v, want them to carry the entry's field component=health", got)
		}
	})
}

func TestAFailedRunIsLoggedOnlyWhileTheThresholdAbsorbsIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, hook := newRegistry(t)
		dep := &dependency{}
		if err := r.Register("db", dep, health.Every(time.Second), health.FailureThreshold(3), health.SuccessThreshold(2)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		synctest.Wait()      // passes once: still pending
		advance(time.Second) // passes twice: passing
		for _, result := range []error{
			errDown, errDown, // absorbed by the threshold: one debug line each
			errDown,      // the third: failing, a warning
			errDown,      // failing already
			nil, errDown, // one success of two, then a failure: still failing
			nil, nil, // passing again
		} {
			dep.set(result)
			advance(time.Second)
		}

		type failure struct {
			Message  string
			Failures any
		}
		var got []failure
		for _, l := range lines(hook) {
			if l.Level <= logrus.WarnLevel || l.Level == logrus.DebugLevel {
				got = append(got, failure{l.Message, l.Fields["health.consecutive_failures"]})
			}
		}
		want := []failure{
			{"health check run failed", 1},
			{"health check run failed", 2},
			{"health check failing", 3},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("warning and debug lines (-want +got):\n%s", diff)
		}
		if st := onlyCheck(t, r).Status; st != health.Passing {
			t.Errorf("status at the end = %v, want passing", st)
		}
	})
}

// TestLogLinesFollowTheOrderOfTheChanges toggles Shutdown and Resume from several goroutines
// at once. Each change is logged with the services it changed, and the lines come out in
// the order of the changes: strictly alternating groups, the last of which is the state
// the registry is in.
func TestLogLinesFollowTheOrderOfTheChanges(t *testing.T) {
	r, hook := newRegistry(t)
	const goroutines, toggles = 4, 25 // 4 lines a change, at most 801 lines: the queue drops none
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range toggles {
				r.Shutdown()
				r.Resume()
			}
		})
	}
	wg.Wait()
	r.Shutdown() // ends shut down, so that the last group is a shutdown
	if !r.FlushLogs(testTimeout) {
		t.Fatalf("the log lines were not written within %v", testTimeout)
	}

	group := func(message, status string) []string {
		return []string{message, "|" + status, "liveness|" + status, "readiness|" + status}
	}
	shutDown := group("health shut down: every service NOT_SERVING until resumed", "NOT_SERVING")
	resumed := group("health resumed: services follow their checks again", "SERVING")
	var got []string
	for _, l := range lines(hook) {
		if service, ok := l.Fields["health.service"].(string); ok {
			got = append(got, service+"|"+l.Fields["health.status"].(string))
			continue
		}
		got = append(got, l.Message)
	}
	if len(got) == 0 || len(got)%(2*len(shutDown)) != len(shutDown) {
		t.Fatalf("%d lines, want a shutdown group, then resume and shutdown groups in pairs:\n%s", len(got), strings.Join(got, "\n"))
	}
	for i := 0; i < len(got); i += len(shutDown) {
		want := shutDown
		if i/len(shutDown)%2 == 1 {
			want = resumed
		}
		if diff := cmp.Diff(want, got[i:i+len(shutDown)]); diff != "" {
			t.Fatalf("lines %d to %d are out of order (-want +got):\n%s", i, i+len(shutDown)-1, diff)
		}
	}
	if st, _ := r.Status(health.Readiness); st != notServing {
		t.Errorf("readiness = %v, want NOT_SERVING, as the last line says", st)
	}
}

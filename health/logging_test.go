package health_test

import (
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
		dep.set(nil)
		advance(time.Second) // recovers
		r.Shutdown()
		r.Resume()

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
		got := lines(hook)
		if len(got) == 0 || got[0].Fields["component"] != "health" {
			t.Errorf("lines = %+v, want them to carry the entry's field component=health", got)
		}
	})
}

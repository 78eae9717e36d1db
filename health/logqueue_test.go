package health_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grpcobs/grpcobs/health"
	"github.com/sirupsen/logrus"
	"go.uber.org/goleak"
)

// blockedWriter is a log destination that has stalled, like a log shipper that stopped
// reading stdout: every Write blocks until the test releases it, then it keeps the lines.
type blockedWriter struct {
	release chan struct{}
	once    sync.Once

	mu  sync.Mutex
	out bytes.Buffer
}

func newBlockedWriter(t testing.TB) *blockedWriter {
	w := &blockedWriter{release: make(chan struct{})}
	t.Cleanup(w.unblock) // before goleak looks, or before the bubble ends
	return w
}

func (w *blockedWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.Write(p)
}

func (w *blockedWriter) unblock() { w.once.Do(func() { close(w.release) }) }

// messages returns the msg of each JSON line written, and the lines.
func (w *blockedWriter) messages(t *testing.T) ([]string, []map[string]any) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	var msgs []string
	var objs []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(w.out.Bytes()))
	for sc.Scan() {
		var obj map[string]any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		msgs = append(msgs, obj["msg"].(string))
		objs = append(objs, obj)
	}
	return msgs, objs
}

func blockedLogger(w *blockedWriter) *logrus.Logger {
	logger := logrus.New()
	logger.SetOutput(w)
	logger.SetFormatter(&logrus.JSONFormatter{})
	logger.SetLevel(logrus.DebugLevel)
	return logger
}

// TestABlockedLogWriterHoldsNothingUp: with the logger's writer stalled, the checks keep
// running on time and their results show at once, every call of the registry returns at
// once, and Stop returns within its bound: the run's cancel, then one second for the lines.
// Once the writer moves again, every line comes out, in order.
func TestABlockedLogWriterHoldsNothingUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newBlockedWriter(t)
		r := health.NewRegistry(health.WithLogger(blockedLogger(w)))
		dep := &dependency{}
		waits := health.CheckFunc(func(ctx context.Context) error { <-ctx.Done(); return nil })
		if err := r.Register("dep", dep, health.Every(time.Second), health.FailureThreshold(1)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		synctest.Wait() // dep passed; its lines wait for the writer
		dep.set(errDown)
		advance(time.Second)
		failedAt := time.Now()
		if st, _ := r.Status(health.Readiness); st != notServing {
			t.Fatalf("readiness = %v after the dependency failed, want NOT_SERVING while the writer is stalled", st)
		}
		dep.set(nil)
		advance(time.Second)
		if st, _ := r.Status(health.Readiness); st != serving {
			t.Fatalf("readiness = %v after the dependency recovered, want SERVING while the writer is stalled", st)
		}
		if got := dep.runCount(); got != 3 {
			t.Fatalf("runs = %d, want 3, one a second", got)
		}

		start := time.Now()
		r.Shutdown()
		r.Resume()
		if err := r.AddService("pkg.Service"); err != nil {
			t.Fatalf("AddService: %v", err)
		}
		if err := r.Register("waits", waits, health.Every(time.Hour), health.Timeout(5*time.Second), health.NonCritical()); err != nil {
			t.Fatalf("Register: %v", err)
		}
		if got := time.Since(start); got != 0 {
			t.Errorf("Shutdown, Resume, AddService and Register took %v with the writer stalled, want 0", got)
		}

		time.Sleep(500 * time.Millisecond) // "waits" is running, honouring its context
		start = time.Now()
		r.Stop()
		if got, want := time.Since(start), time.Second; got != want {
			t.Errorf("Stop took %v with the writer stalled, want %v (its run's cancel at once, then the wait for the lines)", got, want)
		}

		w.unblock()
		synctest.Wait()
		got, objs := w.messages(t)
		if len(objs) > 5 && objs[5]["msg"] == "health check failing" {
			if at, err := time.Parse(time.RFC3339, objs[5]["time"].(string)); err != nil || !at.Equal(failedAt) {
				t.Errorf("the failing line's time = %v (%v), want when the check failed, %v, not when it was written", objs[5]["time"], err, failedAt)
			}
		}
		want := []string{
			"health service status changed", // "" NOT_SERVING: dep is pending
			"health service status changed", // readiness NOT_SERVING
			"health check passing",
			"health service status changed", "health service status changed", // SERVING
			"health check failing",
			"health service status changed", "health service status changed", // NOT_SERVING
			"health check passing",
			"health service status changed", "health service status changed", // SERVING
			"health shut down: every service NOT_SERVING until resumed",
			"health service status changed", "health service status changed", "health service status changed",
			"health resumed: services follow their checks again",
			"health service status changed", "health service status changed", "health service status changed",
			"health service status changed", // AddService: pkg.Service SERVING
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("lines written once the writer moved:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestAFullLogQueueDropsCountsAndSaysSo: behind a stalled writer, 1024 lines wait; the
// ones after are dropped, counted in grpcobs_health_log_lines_dropped_total, and a warning
// that says how many follows the lines that waited.
func TestAFullLogQueueDropsCountsAndSaysSo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newBlockedWriter(t)
		r := health.NewRegistry(health.WithLogger(blockedLogger(w)))
		t.Cleanup(r.Stop)
		if err := r.AddService("pkg.Service"); err != nil { // one line
			t.Fatalf("AddService: %v", err)
		}
		synctest.Wait() // the writer took that line and is stuck writing it
		const changes = 250
		for i := range changes { // 5 lines each (4 services): 1250 lines, 1024 wait
			if i%2 == 0 {
				r.Shutdown()
			} else {
				r.Resume()
			}
		}
		const dropped = 5*changes - 1024
		wantMetric := "grpcobs_health_log_lines_dropped_total " + strconv.Itoa(dropped) + "\n"
		if got := exposition(t, r.Collector()); !strings.Contains(got, wantMetric) {
			t.Errorf("metrics lack %q:\n%s", wantMetric, got)
		}

		w.unblock()
		synctest.Wait()
		msgs, objs := w.messages(t)
		if got, want := len(msgs), 1+1024+1; got != want {
			t.Fatalf("%d lines written, want %d: the one the writer held, the 1024 that waited, and the warning", got, want)
		}
		if msgs[1] != "health shut down: every service NOT_SERVING until resumed" {
			t.Errorf("the first line that waited = %q, want the first Shutdown's", msgs[1])
		}
		last := objs[len(objs)-1]
		if last["msg"] != "health log lines dropped: the log writer is too slow" || last["level"] != "warning" ||
			last["health.dropped_lines"] != float64(dropped) {
			t.Errorf("last line = %v, want the warning with health.dropped_lines=%d", last, dropped)
		}
	})
}

// TestABlockedLogWriterNeverHoldsStopInRealTime is the same story on the real clock, with
// goleak (TestMain) checking that the writer's goroutine is gone once the writer moves.
func TestABlockedLogWriterNeverHoldsStopInRealTime(t *testing.T) {
	w := newBlockedWriter(t)
	r := health.NewRegistry(health.WithLogger(blockedLogger(w)))
	if err := r.Register("dep", health.CheckFunc(func(context.Context) error { return errDown }),
		health.Every(5*time.Millisecond), health.FailureThreshold(1)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	r.Start(context.Background())
	deadline := time.Now().Add(testTimeout)
	for r.Report().Checks[0].ConsecutiveFailures < 10 { // runs go on behind the stalled writer
		if time.Now().After(deadline) {
			t.Fatalf("the check ran %d times in %v with the writer stalled", r.Report().Checks[0].ConsecutiveFailures, testTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		r.Shutdown()
		r.Stop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(testTimeout):
		w.unblock()
		t.Fatalf("Shutdown and Stop did not return within %v with the writer stalled", testTimeout)
	}
	if st, _ := r.Status(health.Liveness); st != notServing {
		t.Errorf("liveness = %v after Shutdown, want NOT_SERVING", st)
	}
	w.unblock()
	if !r.FlushLogs(testTimeout) {
		t.Fatalf("the lines were not written within %v once the writer moved", testTimeout)
	}
	msgs, _ := w.messages(t)
	if len(msgs) == 0 || msgs[len(msgs)-1] != "health service status changed" {
		t.Errorf("lines written once the writer moved: %q, want them to end with the shutdown's", msgs)
	}
}

// TestTheLogWriterLeavesNoGoroutineBehind: the writer's goroutine lives only while lines
// wait, so a registry that logged and was never stopped leaves nothing running.
func TestTheLogWriterLeavesNoGoroutineBehind(t *testing.T) {
	before := goleak.IgnoreCurrent()
	logger, hook := newLogger()
	r := health.NewRegistry(health.WithLogger(logger)) // never stopped
	r.Shutdown()
	if !r.FlushLogs(testTimeout) || len(hook.AllEntries()) != 4 {
		t.Fatalf("lines written: %d, want 4 (the shutdown and 3 services)", len(hook.AllEntries()))
	}
	goleak.VerifyNone(t, before)
}

package firstlaw_test

import (
	"slices"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/internal/firstlaw"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// expectSpansEnded asserts that every span of the given kinds that the stack started (the
// client's call and attempt spans, or the server's spans) was ended exactly once, counting
// what the span recorder saw start (OnStart) and end (OnEnd), not only the spans exported. It
// waits for the counts to meet (or firstlaw.Timeout), then LateDuplicateWait, and counts
// again. It returns the counts.
func expectSpansEnded(t *testing.T, o *firstlaw.Observers, kinds ...trace.SpanKind) (started, ended int) {
	t.Helper()
	count := func() (started []sdktrace.ReadWriteSpan, ended []sdktrace.ReadOnlySpan) {
		for _, s := range o.Spans.Started() {
			if slices.Contains(kinds, s.SpanKind()) {
				started = append(started, s)
			}
		}
		for _, s := range o.Spans.Ended() {
			if slices.Contains(kinds, s.SpanKind()) {
				ended = append(ended, s)
			}
		}
		return started, ended
	}
	deadline := time.Now().Add(firstlaw.Timeout)
	for s, e := count(); len(s) != len(e) && time.Now().Before(deadline); s, e = count() {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(firstlaw.LateDuplicateWait)
	startedSpans, endedSpans := count()
	endings := map[trace.SpanID]int{}
	for _, s := range endedSpans {
		endings[s.SpanContext().SpanID()]++
	}
	for _, s := range startedSpans {
		if n := endings[s.SpanContext().SpanID()]; n != 1 {
			t.Errorf("span %q (%s) started and ended %d times, want once", s.Name(), s.SpanKind(), n)
		}
		delete(endings, s.SpanContext().SpanID())
	}
	for id, n := range endings {
		t.Errorf("span %s ended %d times, never started", id, n)
	}
	return len(startedSpans), len(endedSpans)
}

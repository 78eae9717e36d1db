package statuspage

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/internal/safetext"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Longest names and messages the recent-calls lists keep, in bytes.
const (
	maxNameBytes    = 256
	maxMessageBytes = safetext.MaxMessageBytes
)

// recentCall is one call in a recent-calls list.
type recentCall struct {
	service, method string // as called, also for a call counted under other
	counted         string // "" or otherName: the row it is counted in, when not its own
	code            codes.Code
	message         string // the status message of a failed call; "" for the slowest list
	duration        time.Duration
	start           time.Time
	traceID         trace.TraceID
	hasTrace        bool
	sampled         bool
}

// recentCalls holds a side's last failed calls and its slowest calls of the last longWindow.
type recentCalls struct {
	size int

	mu       sync.Mutex
	failures []recentCall // a ring of size entries; next is the slot the next one takes
	next     int
	slowest  []recentCall // at most size entries, any order

	// A call no slower than slowThreshold that ends before slowUntil (Unix nanoseconds) cannot
	// enter the slowest list: the hot path reads the two without locking. slowThreshold is -1
	// while the list has room.
	slowThreshold atomic.Int64
	slowUntil     atomic.Int64
}

func newRecentCalls(size int) *recentCalls {
	r := &recentCalls{size: size, failures: make([]recentCall, 0, size), slowest: make([]recentCall, 0, size)}
	r.slowThreshold.Store(-1)
	return r
}

// record keeps the call if it failed (per the status policy) or is among the slowest. end is
// about when it ended (Unix nanoseconds); a call it keeps gets its time from the clock.
func (r *recentCalls) record(c *callRecord, s *methodStats, end int64, code codes.Code, err error, isError bool, d time.Duration) {
	slow := int64(d) > r.slowThreshold.Load() || end >= r.slowUntil.Load()
	if !isError && !slow {
		return
	}
	now := s.side.now()
	call := recentCall{service: s.name.service, method: s.name.method, code: code, duration: d, start: now.Add(-d)}
	if c != nil {
		if c.service != "" || c.method != "" {
			call.service, call.method, call.counted = safeText(c.service, maxNameBytes), safeText(c.method, maxNameBytes), otherName
		}
		call.traceID, call.hasTrace, call.sampled = c.traceID, c.hasTrace, c.sampled
	}
	var failed recentCall
	if isError {
		failed = call
		failed.message = safeText(status.Convert(err).Message(), maxMessageBytes)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if isError {
		r.addFailureLocked(failed)
	}
	if slow {
		r.addSlowLocked(call, now)
	}
}

func (r *recentCalls) addFailureLocked(c recentCall) {
	if len(r.failures) < r.size {
		r.failures = append(r.failures, c)
	} else {
		r.failures[r.next] = c
	}
	r.next = (r.next + 1) % r.size
}

// addSlowLocked puts c in the slowest list if it is slower than a call there, or if a call
// there is older than longWindow, then updates the threshold.
func (r *recentCalls) addSlowLocked(c recentCall, now time.Time) {
	r.slowest = slices.DeleteFunc(r.slowest, func(s recentCall) bool { return now.Sub(s.start) > longWindow })
	if len(r.slowest) < r.size {
		r.slowest = append(r.slowest, c)
	} else if i := r.fastestLocked(); c.duration > r.slowest[i].duration {
		r.slowest[i] = c
	}
	if len(r.slowest) < r.size {
		r.slowThreshold.Store(-1)
		return
	}
	until := r.slowest[0].start.Add(longWindow)
	for _, s := range r.slowest[1:] {
		if e := s.start.Add(longWindow); e.Before(until) {
			until = e
		}
	}
	r.slowThreshold.Store(int64(r.slowest[r.fastestLocked()].duration))
	r.slowUntil.Store(until.UnixNano())
}

func (r *recentCalls) fastestLocked() int {
	fastest := 0
	for i, s := range r.slowest {
		if s.duration < r.slowest[fastest].duration {
			fastest = i
		}
	}
	return fastest
}

// snapshot returns the failed calls, newest first, and the slowest calls of the last
// longWindow, slowest first.
func (r *recentCalls) snapshot(now time.Time) (failures, slowest []recentCall) {
	r.mu.Lock()
	failures = make([]recentCall, 0, len(r.failures))
	for i := range len(r.failures) {
		failures = append(failures, r.failures[(r.next-1-i+2*r.size)%r.size])
	}
	slowest = slices.Clone(r.slowest)
	r.mu.Unlock()
	slowest = slices.DeleteFunc(slowest, func(s recentCall) bool { return now.Sub(s.start) > longWindow })
	slices.SortStableFunc(slowest, func(a, b recentCall) int { return cmp.Compare(b.duration, a.duration) })
	return failures, slowest
}

// safeText is s as valid UTF-8, cut to at most max bytes at a rune boundary (safetext.Cut, which
// logging's error field shares). What the page shows of a caller's names and messages is bounded,
// and valid text whatever bytes the caller sent.
func safeText(s string, max int) string { return safetext.Cut(s, max) }

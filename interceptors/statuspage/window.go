package statuspage

import (
	"sync"
	"sync/atomic"
	"time"
)

// The windows of a method's counts: a ring of fixed-width time buckets, long enough for the
// longest window plus the bucket in progress.
const (
	bucketWidth  = 10 * time.Second
	shortWindow  = time.Minute
	longWindow   = 10 * time.Minute
	ringBuckets  = int(longWindow/bucketWidth) + 1
	shortBuckets = int(shortWindow / bucketWidth)
)

// ring counts a method's calls, errors and latencies per bucketWidth of time, over the last
// longWindow. Recording is lock-free except when a call is the first of a new bucket, which
// resets the slot the bucket reuses; a reader may see a bucket being filled.
type ring struct {
	reset   sync.Mutex // serialises the resets of slots
	buckets [ringBuckets]bucket
}

type bucket struct {
	epoch   atomic.Int64 // the bucket's start, in bucketWidths since the Unix epoch; 0 unused
	calls   atomic.Int64
	errors  atomic.Int64
	latency [numLatencyBuckets]atomic.Int64
}

func epochOf(t time.Time) int64 { return epochOfNanos(t.UnixNano()) }

func epochOfNanos(unixNanos int64) int64 { return unixNanos / int64(bucketWidth) }

// record counts one call that took d and ended at end (Unix nanoseconds).
func (r *ring) record(end int64, d time.Duration, isError bool) {
	e := epochOfNanos(end)
	b := &r.buckets[e%int64(ringBuckets)]
	if b.epoch.Load() != e {
		r.start(b, e)
	}
	b.calls.Add(1)
	if isError {
		b.errors.Add(1)
	}
	b.latency[latencyBucket(d)].Add(1)
}

// start makes b the bucket of epoch e, unless a later epoch took it meanwhile (a call that
// ended long ago was recorded late): then the call is counted in the later bucket, not lost.
func (r *ring) start(b *bucket, e int64) {
	r.reset.Lock()
	defer r.reset.Unlock()
	if b.epoch.Load() >= e {
		return
	}
	b.calls.Store(0)
	b.errors.Store(0)
	for i := range b.latency {
		b.latency[i].Store(0)
	}
	b.epoch.Store(e)
}

// windowTotals is what a ring holds for one window.
type windowTotals struct {
	calls, errors int64
	latency       latencyCounts
	// span is the time the window's buckets cover: from the start of the oldest to now, and
	// no earlier than when counting began.
	span time.Duration
}

// totals sums the buckets of the window of n buckets that ends with now's bucket.
func (r *ring) totals(now, since time.Time, n int) windowTotals {
	cur := epochOf(now)
	first := cur - int64(n) + 1
	var w windowTotals
	for i := range r.buckets {
		b := &r.buckets[i]
		if e := b.epoch.Load(); e < first || e > cur {
			continue
		}
		w.calls += b.calls.Load()
		w.errors += b.errors.Load()
		for j := range b.latency {
			w.latency[j] += b.latency[j].Load()
		}
	}
	from := time.Unix(0, first*int64(bucketWidth))
	if since.After(from) {
		from = since
	}
	w.span = now.Sub(from)
	return w
}

// rate is calls per second over the window; 0 for a window shorter than a millisecond.
func (w windowTotals) rate() float64 {
	if w.span < time.Millisecond {
		return 0
	}
	return float64(w.calls) / w.span.Seconds()
}

// errorRatio is the share of the window's calls that are errors; 0 without calls.
func (w windowTotals) errorRatio() float64 {
	if w.calls == 0 {
		return 0
	}
	return float64(w.errors) / float64(w.calls)
}

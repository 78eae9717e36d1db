package statuspage

import (
	"sort"
	"time"
)

// latencyBounds are the upper bounds of the latency histogram's buckets; a last bucket holds
// everything slower. They span what RPC latencies are, from a cached answer on the same host
// to a call that times out, in roughly 2–2.5× steps.
var latencyBounds = [...]time.Duration{
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2500 * time.Millisecond, 5 * time.Second,
	10 * time.Second, 30 * time.Second, time.Minute,
}

// numLatencyBuckets counts the buckets, the one above the last bound included.
const numLatencyBuckets = len(latencyBounds) + 1

// latencyBucket is the index of the bucket d falls in.
func latencyBucket(d time.Duration) int {
	return sort.Search(len(latencyBounds), func(i int) bool { return d <= latencyBounds[i] })
}

// latencyCounts is a histogram: how many calls fell in each bucket.
type latencyCounts [numLatencyBuckets]int64

// quantile estimates the q-quantile (0 < q < 1) as Prometheus' histogram_quantile does: it
// finds the bucket and interpolates linearly inside it. A quantile in the last, unbounded,
// bucket is the last bound. It is 0 when there are no calls.
func (c *latencyCounts) quantile(q float64) time.Duration {
	var total int64
	for _, n := range c {
		total += n
	}
	if total == 0 {
		return 0
	}
	rank := q * float64(total)
	var below int64
	for i, n := range c {
		if n == 0 || float64(below+n) < rank {
			below += n
			continue
		}
		if i == len(latencyBounds) {
			return latencyBounds[i-1]
		}
		var lower time.Duration
		if i > 0 {
			lower = latencyBounds[i-1]
		}
		frac := (rank - float64(below)) / float64(n)
		return lower + time.Duration(frac*float64(latencyBounds[i]-lower))
	}
	return latencyBounds[len(latencyBounds)-1]
}

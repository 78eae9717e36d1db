package metrics

import (
	"context"
	"encoding/hex"
	"math"
	"sort"
	"sync/atomic"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
)

// exemplarTraceID is the exemplar label that links an observation to its trace, the name
// Grafana and the OpenTelemetry Collector look for.
const exemplarTraceID = "trace_id"

// reporterFor returns the Reporter of a call to the method of s. A call whose span (put into
// ctx by the tracing signal, or by the caller on the client) is sampled gets a reporter that
// may add the trace ID as an exemplar; any other call is reported by s itself, at no cost.
func reporterFor(ctx context.Context, s *methodSeries) interceptors.Reporter {
	if sc := trace.SpanContextFromContext(ctx); sc.IsSampled() && sc.HasTraceID() {
		return &sampledReporter{methodSeries: s, traceID: sc.TraceID()}
	}
	return s
}

// sampledReporter reports a call whose span is sampled: the handled increment and the
// histogram observation carry the call's trace ID as an exemplar when their exemplar slot
// (the counter of the call's code, the bucket of its duration) is due for a new one.
type sampledReporter struct {
	*methodSeries
	traceID trace.TraceID
}

// PostCall counts the call as handled and observes its duration, each with the exemplar if
// its slot is due. The exemplar's labels are only built, and paid for, when one is.
func (r *sampledReporter) PostCall(err error, d time.Duration) {
	s := r.methodSeries
	code := s.finish(err)
	handled := s.handledCounter(code)
	now := s.exemplars.clock()
	var exemplar prometheus.Labels
	if s.exemplars.due(&s.handledExemplar[code], now) {
		exemplar = r.exemplar()
		addWithExemplar(handled, exemplar)
	} else {
		handled.Inc()
	}
	if s.handling == nil {
		return
	}
	v := d.Seconds()
	if s.exemplars.due(&s.bucketExemplar[s.exemplars.band(v)], now) {
		if exemplar == nil {
			exemplar = r.exemplar()
		}
		observeWithExemplar(s.handling, v, exemplar)
	} else {
		s.handling.Observe(v)
	}
}

// exemplar is the exemplar's labels: the trace ID in hex, as TraceID.String writes it, with
// one allocation for the string and one for the map that client_golang's API requires.
func (r *sampledReporter) exemplar() prometheus.Labels {
	var buf [2 * len(trace.TraceID{})]byte
	hex.Encode(buf[:], r.traceID[:])
	return prometheus.Labels{exemplarTraceID: string(buf[:])}
}

// exemplarSampler decides when a sampled call's exemplar replaces the one before it, like the
// exemplar sampler of the Prometheus Java client: each exemplar slot (a handled counter, a
// histogram bucket) takes a new exemplar only when its last one is at least interval old.
// client_golang builds a dto.Exemplar (value, timestamp, label pairs) for every exemplar it is
// given and keeps only the latest per counter and per bucket, which is also all Prometheus
// scrapes; limiting exemplars per slot keeps that cost off nearly every call without losing
// the exemplar of a call that lands in a bucket no other call reached recently.
//
// A slot is an atomic int64: the time, on the sampler's monotonic clock, from which it takes
// a new exemplar. It starts at 0, so the first sampled call of every slot gets one.
type exemplarSampler struct {
	interval int64 // nanoseconds; 0: every sampled call gets its exemplars
	now      func() time.Time
	start    time.Time // the clock's origin; now().Sub(start) is monotonic with time.Now
	// bands are the upper bounds of the histogram's exemplar slots, the classic bucket bounds
	// without +Inf, which is the slot after the last. A native-only histogram has no classic
	// bounds; its slots follow the default buckets, so that its native exemplars are spread
	// over the latencies too.
	bands []float64
}

func newExemplarSampler(o options) *exemplarSampler {
	bands := o.buckets
	if n := len(bands); n > 0 && math.IsInf(bands[n-1], 1) {
		bands = bands[:n-1]
	}
	if len(bands) == 0 {
		bands = defaultBuckets
	}
	return &exemplarSampler{interval: int64(o.exemplarInterval), now: o.now, start: o.now(), bands: bands}
}

// slots is how many histogram exemplar slots a series has: one per band, and +Inf.
func (e *exemplarSampler) slots() int { return len(e.bands) + 1 }

// clock is the time since the sampler was created, in nanoseconds, or 0 when there is no
// interval to measure.
func (e *exemplarSampler) clock() int64 {
	if e.interval == 0 {
		return 0
	}
	return int64(e.now().Sub(e.start))
}

// due reports whether slot takes an exemplar at now, the sampler's clock. When it does, it is
// claimed until now+interval: of concurrent calls, one gets it.
func (e *exemplarSampler) due(slot *atomic.Int64, now int64) bool {
	if e.interval == 0 {
		return true
	}
	from := slot.Load()
	if now < from {
		return false
	}
	next := now + e.interval
	if next < now { // an interval so long it overflows: one exemplar per slot, ever
		next = math.MaxInt64
	}
	return slot.CompareAndSwap(from, next)
}

// band is the histogram exemplar slot of an observation of v, by client_golang's rule for
// classic buckets: the first upper bound at or above v, or +Inf (the slot after the last)
// beyond them all.
func (e *exemplarSampler) band(v float64) int {
	bands := e.bands
	if len(bands) > 32 {
		return sort.SearchFloat64s(bands, v)
	}
	for i, bound := range bands {
		if v <= bound {
			return i
		}
	}
	return len(bands)
}

// addWithExemplar adds 1 to c with the exemplar; every counter of client_golang takes
// exemplars, the fallback is for the type system.
func addWithExemplar(c prometheus.Counter, exemplar prometheus.Labels) {
	if ea, ok := c.(prometheus.ExemplarAdder); ok {
		ea.AddWithExemplar(1, exemplar)
		return
	}
	c.Inc()
}

// observeWithExemplar observes v on o with the exemplar; every histogram of client_golang
// takes exemplars, the fallback is for the type system.
func observeWithExemplar(o prometheus.Observer, v float64, exemplar prometheus.Labels) {
	if eo, ok := o.(prometheus.ExemplarObserver); ok {
		eo.ObserveWithExemplar(v, exemplar)
		return
	}
	o.Observe(v)
}

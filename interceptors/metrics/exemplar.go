package metrics

import (
	"context"
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
// adds the trace ID as an exemplar; any other call is reported by s itself, at no cost.
func reporterFor(ctx context.Context, s *methodSeries) interceptors.Reporter {
	if sc := trace.SpanContextFromContext(ctx); sc.IsSampled() && sc.HasTraceID() {
		return &sampledReporter{methodSeries: s, traceID: sc.TraceID()}
	}
	return s
}

// sampledReporter reports a call whose span is sampled: the handled increment and the
// histogram observation carry the call's trace ID as an exemplar. The exemplar's labels are
// only built, and paid for, here.
type sampledReporter struct {
	*methodSeries
	traceID trace.TraceID
}

// PostCall counts the call as handled and observes its duration, both with the exemplar.
func (r *sampledReporter) PostCall(err error, d time.Duration) {
	r.end(err, d, prometheus.Labels{exemplarTraceID: r.traceID.String()})
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

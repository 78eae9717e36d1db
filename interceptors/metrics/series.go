package metrics

import (
	"sync/atomic"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc/codes"
)

// numCodes is how many gRPC codes there are: OK (0) to UNAUTHENTICATED (16).
const numCodes = int(codes.Unauthenticated) + 1

// codeLabels are the grpc_code values, the codes' names as go-grpc-prometheus writes them.
var codeLabels = func() (labels [numCodes]string) {
	for i := range labels {
		labels[i] = codes.Code(i).String()
	}
	return labels
}()

// codeIndex is the grpc_code a call that ended with code is counted under. A code outside the
// 17 gRPC codes (a peer can send any number) is counted as UNKNOWN, as grpc-java reads it, so
// that a peer cannot add series by inventing codes.
func codeIndex(code codes.Code) int {
	if int(code) >= numCodes {
		return int(codes.Unknown)
	}
	return int(code)
}

// methodSeries are the series of one (grpc_type, grpc_service, grpc_method), resolved once so
// that a call looks up no label values.
//
// A methodSeries is also the Reporter of every call to its method whose span is not sampled:
// such a call has no state of its own, so reporting it allocates nothing.
type methodSeries struct {
	typ, service, method string

	started     prometheus.Counter
	msgReceived prometheus.Counter
	msgSent     prometheus.Counter
	inFlight    prometheus.Gauge
	handling    prometheus.Observer // nil when the histogram is off
	// msgSend and msgRecv time each message of a client call; nil when off (the default).
	msgSend, msgRecv prometheus.Observer

	// handled holds the *_handled_total series per code, each resolved on first use (or
	// by InitializeMetrics), so that a series only appears once a call ended with its code.
	handledVec *prometheus.CounterVec
	handled    [numCodes]atomic.Pointer[prometheus.Counter]

	// attempts holds the grpc_client_attempts_total series per code, resolved on first use,
	// when attemptsVec is not nil (WithAttempts).
	attemptsVec *prometheus.CounterVec
	attempts    [numCodes]atomic.Pointer[prometheus.Counter]

	// The exemplar slots (see exemplarSampler): one per handled code, and one per histogram
	// bucket (nil when the histogram is off).
	exemplars       *exemplarSampler
	handledExemplar [numCodes]atomic.Int64
	bucketExemplar  []atomic.Int64
}

var _ interceptors.Reporter = (*methodSeries)(nil)

// newMethodSeries resolves the series of one method. It fails only if a label value is not
// valid UTF-8.
func newMethodSeries(v *vectors, ex *exemplarSampler, typ, service, method string) (*methodSeries, error) {
	s := &methodSeries{typ: typ, service: service, method: method, handledVec: v.handled, attemptsVec: v.attempts, exemplars: ex}
	var err error
	if s.started, err = v.started.GetMetricWithLabelValues(typ, service, method); err != nil {
		return nil, err
	}
	// The values are now known to be valid: the lookups below cannot fail.
	s.msgReceived = v.msgReceived.WithLabelValues(typ, service, method)
	s.msgSent = v.msgSent.WithLabelValues(typ, service, method)
	s.inFlight = v.inFlight.WithLabelValues(typ, service, method)
	if v.msgSend != nil {
		s.msgSend = v.msgSend.WithLabelValues(typ, service, method)
	}
	if v.msgRecv != nil {
		s.msgRecv = v.msgRecv.WithLabelValues(typ, service, method)
	}
	if v.handling != nil {
		s.handling = v.handling.WithLabelValues(typ, service, method)
		s.bucketExemplar = make([]atomic.Int64, ex.slots())
	}
	return s, nil
}

// initialize creates the handled series of every code, so that rates and ratios exist before
// the first call ends with that code.
func (s *methodSeries) initialize() {
	for i := range numCodes {
		s.handledCounter(i)
	}
}

// handledCounter returns the *_handled_total series of the code at index i.
func (s *methodSeries) handledCounter(i int) prometheus.Counter {
	return s.codeCounter(s.handledVec, &s.handled, i)
}

// codeCounter returns the series of vec for the code at index i, resolved once into slots.
func (s *methodSeries) codeCounter(vec *prometheus.CounterVec, slots *[numCodes]atomic.Pointer[prometheus.Counter], i int) prometheus.Counter {
	if c := slots[i].Load(); c != nil {
		return *c
	}
	c := vec.WithLabelValues(s.typ, s.service, s.method, codeLabels[i])
	// Racing callers get the same series from the vector: whichever store wins is right.
	slots[i].Store(&c)
	return c
}

// begin counts a call in.
func (s *methodSeries) begin() {
	s.started.Inc()
	s.inFlight.Inc()
}

// finish counts a call out of flight and returns the index of its code.
func (s *methodSeries) finish(err error) int {
	s.inFlight.Dec()
	return codeIndex(interceptors.Code(err))
}

// PostCall counts the call as handled, under its code, and observes its duration.
func (s *methodSeries) PostCall(err error, d time.Duration) {
	s.handledCounter(s.finish(err)).Inc()
	if s.handling != nil {
		s.handling.Observe(d.Seconds())
	}
}

// PostMsgSend counts a message sent, if it was, and observes how long sending took, whether
// it was or not (as providers/prometheus does), when that histogram is on.
func (s *methodSeries) PostMsgSend(_ any, err error, d time.Duration) {
	if err == nil {
		s.msgSent.Inc()
	}
	if s.msgSend != nil {
		s.msgSend.Observe(d.Seconds())
	}
}

// PostMsgReceive counts a message received, if it was, and observes how long receiving took,
// whether a message came or not, when that histogram is on.
func (s *methodSeries) PostMsgReceive(_ any, err error, d time.Duration) {
	if err == nil {
		s.msgReceived.Inc()
	}
	if s.msgRecv != nil {
		s.msgRecv.Observe(d.Seconds())
	}
}

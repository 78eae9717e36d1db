package metrics

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// The label names of go-grpc-prometheus. There is no peer label, and never will be: a label
// whose values the caller chooses has no bound.
const (
	labelType    = "grpc_type"
	labelService = "grpc_service"
	labelMethod  = "grpc_method"
	labelCode    = "grpc_code"
)

var (
	methodLabelNames  = []string{labelType, labelService, labelMethod}
	handledLabelNames = []string{labelType, labelService, labelMethod, labelCode}
)

// vectors are one side's metric vectors, the state the collector reports.
type vectors struct {
	started     *prometheus.CounterVec
	handled     *prometheus.CounterVec
	msgReceived *prometheus.CounterVec
	msgSent     *prometheus.CounterVec
	inFlight    *prometheus.GaugeVec
	handling    *prometheus.HistogramVec // nil when the histogram is off
	attempts    *prometheus.CounterVec   // nil unless a client WithAttempts
	// msgSend and msgRecv time each message of a client call; nil unless a client
	// WithClientStreamSendHistogram, WithClientStreamRecvHistogram.
	msgSend, msgRecv *prometheus.HistogramVec
	// configErr is why options could not be used, each error naming its option; Describe
	// reports it, so registering fails with it.
	configErr error
}

// newVectors makes one side's vectors. Options that could not be used (o.errs, and a
// namespace or constant labels the registry would refuse) leave their defaults in place, so
// that recording can never panic; configErr keeps why, each error naming its option.
func newVectors(s side, o options) *vectors {
	errs := o.errs
	if err := checkNamespace(s, o.namespace); err != nil {
		errs = append(errs, optionError("WithNamespace", err))
		o.namespace = defaultOptions.namespace
	}
	if err := checkConstLabels(s, o.constLabels, o.histogram || o.msgSendBuckets != nil || o.msgRecvBuckets != nil); err != nil {
		errs = append(errs, optionError("WithConstLabels", err))
		o.constLabels = defaultOptions.constLabels
	}
	v := buildVectors(s, o)
	v.configErr = errors.Join(errs...)
	return v
}

// checkNamespace is why the registry would refuse names in namespace, or nil.
func checkNamespace(s side, namespace string) error {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", s.started.name), s.started.help, nil, nil).Err()
}

// checkConstLabels is why the registry would refuse the constant labels next to grpcobs' own,
// or a histogram would panic when it creates a series, or nil.
func checkConstLabels(s side, labels prometheus.Labels, histogram bool) error {
	if _, ok := labels["le"]; ok && histogram {
		return errors.New(`constant label "le" is reserved for histogram buckets`)
	}
	return prometheus.NewDesc(s.handled.name, s.handled.help, handledLabelNames, labels).Err()
}

func buildVectors(s side, o options) *vectors {
	counter := func(t metricText, labels []string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: o.namespace, Name: t.name, Help: t.help, ConstLabels: o.constLabels,
		}, labels)
	}
	v := &vectors{
		started:     counter(s.started, methodLabelNames),
		handled:     counter(s.handled, handledLabelNames),
		msgReceived: counter(s.msgReceived, methodLabelNames),
		msgSent:     counter(s.msgSent, methodLabelNames),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: o.namespace, Name: s.inFlight.name, Help: s.inFlight.help, ConstLabels: o.constLabels,
		}, methodLabelNames),
	}
	if o.attempts && s.attempts.name != "" {
		v.attempts = counter(s.attempts, handledLabelNames)
	}
	v.msgSend = messageHistogramVec(s.msgSend, o, o.msgSendBuckets)
	v.msgRecv = messageHistogramVec(s.msgRecv, o, o.msgRecvBuckets)
	if o.histogram {
		opts := prometheus.HistogramOpts{
			Namespace: o.namespace, Name: s.handling.name, Help: s.handling.help, ConstLabels: o.constLabels,
			Buckets: o.buckets,
		}
		if o.nativeBucketFactor > 0 {
			opts.NativeHistogramBucketFactor = o.nativeBucketFactor
			opts.NativeHistogramMaxBucketNumber = nativeMaxBuckets
			opts.NativeHistogramMinResetDuration = nativeMinResetDuration
		}
		v.handling = prometheus.NewHistogramVec(opts, methodLabelNames)
	}
	return v
}

// messageHistogramVec is a per-message histogram with buckets, or nil when buckets is nil (off)
// or the side has no such histogram (a server).
func messageHistogramVec(t metricText, o options, buckets []float64) *prometheus.HistogramVec {
	if buckets == nil || t.name == "" {
		return nil
	}
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: o.namespace, Name: t.name, Help: t.help, ConstLabels: o.constLabels, Buckets: buckets,
	}, methodLabelNames)
}

func (v *vectors) describe(ch chan<- *prometheus.Desc) {
	if v.configErr != nil {
		ch <- prometheus.NewInvalidDesc(v.configErr)
	}
	v.started.Describe(ch)
	v.handled.Describe(ch)
	v.msgReceived.Describe(ch)
	v.msgSent.Describe(ch)
	v.inFlight.Describe(ch)
	if v.handling != nil {
		v.handling.Describe(ch)
	}
	if v.attempts != nil {
		v.attempts.Describe(ch)
	}
	if v.msgSend != nil {
		v.msgSend.Describe(ch)
	}
	if v.msgRecv != nil {
		v.msgRecv.Describe(ch)
	}
}

func (v *vectors) collect(ch chan<- prometheus.Metric) {
	v.started.Collect(ch)
	v.handled.Collect(ch)
	v.msgReceived.Collect(ch)
	v.msgSent.Collect(ch)
	v.inFlight.Collect(ch)
	if v.handling != nil {
		v.handling.Collect(ch)
	}
	if v.attempts != nil {
		v.attempts.Collect(ch)
	}
	if v.msgSend != nil {
		v.msgSend.Collect(ch)
	}
	if v.msgRecv != nil {
		v.msgRecv.Collect(ch)
	}
}

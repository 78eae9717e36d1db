package metrics

import (
	"errors"
	"fmt"

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
	// configErr is why the namespace or constant labels could not be used; Describe reports
	// it, so registering fails with it.
	configErr error
}

// newVectors makes one side's vectors. When the namespace or the constant labels are
// unusable, it falls back to their defaults, so that recording can never panic, and keeps the
// reason for Describe.
func newVectors(s side, o options) *vectors {
	v := buildVectors(s, o)
	if err := v.firstDescError(o); err != nil {
		o.namespace, o.constLabels = defaultOptions.namespace, defaultOptions.constLabels
		v = buildVectors(s, o)
		v.configErr = fmt.Errorf("grpcobs metrics: %w", err)
	}
	return v
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

// firstDescError is the first reason the registry would refuse these vectors, or a histogram
// would panic when it creates a series.
func (v *vectors) firstDescError(o options) error {
	if _, ok := o.constLabels["le"]; ok && v.handling != nil {
		return errors.New(`constant label "le" is reserved for histogram buckets`)
	}
	descs := make(chan *prometheus.Desc, 6)
	v.describe(descs)
	close(descs)
	for d := range descs {
		if err := d.Err(); err != nil {
			return err
		}
	}
	return nil
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
}

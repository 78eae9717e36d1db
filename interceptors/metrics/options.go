package metrics

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/prometheus/client_golang/prometheus"
)

// Option configures NewServerMetrics and NewClientMetrics. Both sides take the same options.
// A nil Option is ignored.
//
// An option given a value it cannot use is an error that names the option, for example
// "metrics.WithHistogramBuckets: buckets not sorted: [1 0.1]". Construction does not fail (the
// constructors return no error): the collector's Describe reports the error, so
// prometheus.Registerer.Register returns it and MustRegister panics with it. Until then, and
// for a collector that is never registered, that option's default stays in place, so that
// recording never panics.
type Option func(*options)

type options struct {
	namespace   string
	constLabels prometheus.Labels
	histogram   bool
	buckets     []float64
	// nativeBucketFactor is the growth factor of native histogram buckets; 0 means no native
	// histogram.
	nativeBucketFactor float64
	// exemplarInterval is how long an exemplar stays before a sampled call may replace it, per
	// handled counter and per histogram bucket; 0 means every sampled call replaces it.
	exemplarInterval time.Duration
	// now is the clock of exemplarInterval; tests replace it (export_test.go).
	now func() time.Time
	// attempts adds grpc_client_attempts_total (WithAttempts).
	attempts bool
	// msgSendBuckets and msgRecvBuckets are the bounds of the client's per-message histograms
	// (WithClientStreamSendHistogram, WithClientStreamRecvHistogram); nil means off.
	msgSendBuckets, msgRecvBuckets []float64
	// errs are the options that could not be used, each naming its option; Describe reports
	// them.
	errs []error
}

// optionError is the error of an option given a value it cannot use.
func optionError(option string, err error) error {
	return fmt.Errorf("metrics.%s: %w", option, err)
}

// fail records that an option could not be used.
func (o *options) fail(option string, err error) {
	o.errs = append(o.errs, optionError(option, err))
}

// defaultBuckets span 0.5 ms to 10 s: the range where RPC latencies live, from a cached read
// on the same host to a slow fan-out call, with roughly 2.5x steps. They are client_golang's
// DefBuckets (which go-grpc-prometheus uses) with three finer ones below 5 ms, so every
// le="…" a dashboard built for go-grpc-prometheus queries still exists.
var defaultBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// defaultOptions is copied, then the caller's options are applied to the copy.
var defaultOptions = options{
	histogram:        true,
	buckets:          defaultBuckets,
	exemplarInterval: defaultExemplarInterval,
	now:              time.Now,
}

// defaultExemplarInterval is how often, at most, a handled counter or a histogram bucket takes
// a new exemplar. A scrape only sees the latest exemplar of each, and Prometheus scrapes every
// 10 s to 1 min, rarely more often than every few seconds: at one second, every scrape of a
// busy counter or bucket still finds an exemplar the previous scrape did not, as it would with
// an exemplar on every call, while the series builds at most one per counter and bucket per
// second instead of one per sampled call. A longer interval (the Prometheus Java client keeps
// an exemplar at least ~7 s) would show the same exemplar to consecutive scrapes at 5 s; a
// shorter one would build exemplars no scrape sees.
const defaultExemplarInterval = time.Second

// Native histogram limits, as the client_golang documentation recommends: at most 160 buckets
// per histogram, and the resolution a burst of outliers reduced comes back after an hour.
const (
	nativeMaxBuckets       = 160
	nativeMinResetDuration = time.Hour
)

func newOptions(opts []Option) options { return signal.Apply(defaultOptions, opts) }

// WithNamespace prefixes every metric name with namespace and an underscore, so
// grpc_server_started_total becomes <namespace>_grpc_server_started_total. Default: no
// namespace, the names dashboards built for go-grpc-prometheus expect. It also lets grpcobs'
// metrics sit on one registry next to go-grpc-prometheus' or go-grpc-middleware's, whose
// names are the same. A namespace that makes invalid metric names is an error (see Option).
func WithNamespace(namespace string) Option {
	return func(o *options) { o.namespace = namespace }
}

// WithConstLabels adds labels with fixed values to every metric, for example
// {"component": "billing"}. Default: none. The labels are copied. A label name that is
// invalid, reserved ("le", "__…") or taken (grpc_type, grpc_service, grpc_method, grpc_code),
// or a value that is not valid UTF-8, is an error (see Option).
func WithConstLabels(labels prometheus.Labels) Option {
	labels = maps.Clone(labels)
	return func(o *options) { o.constLabels = labels }
}

// WithHistogramBuckets sets the upper bounds, in seconds, of the handling-time histogram's
// classic buckets. Default: 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
// 2.5, 5, 10. The bounds are copied. A final +Inf is allowed (the +Inf bucket is always
// there), and +Inf alone leaves only that bucket: with WithNativeHistograms, a native-only
// histogram. No bounds, bounds that are not strictly increasing, NaN or -Inf are an error (see
// Option).
func WithHistogramBuckets(buckets ...float64) Option {
	buckets = slices.Clone(buckets)
	return func(o *options) {
		if err := checkBuckets(buckets); err != nil {
			o.fail("WithHistogramBuckets", err)
			return
		}
		o.buckets = buckets
	}
}

// WithNativeHistograms makes the handling-time histogram a native histogram as well, next to
// the classic buckets: each bucket is at most factor times as wide as the one before it, 1.1
// being a good choice for latencies. Scrapers that negotiate the protobuf format store the
// native histogram; the text formats carry the classic buckets. Default: classic buckets only.
// A native histogram keeps at most 160 buckets, widening them when it would need more, and
// returns to full resolution an hour later. A factor that is not greater than 1 (where
// client_golang quietly leaves native histograms off), +Inf or NaN is an error (see Option).
func WithNativeHistograms(factor float64) Option {
	return func(o *options) {
		if !(factor > 1) || math.IsInf(factor, 1) {
			o.fail("WithNativeHistograms", fmt.Errorf("factor %v: want a number greater than 1, such as 1.1", factor))
			return
		}
		o.nativeBucketFactor = factor
	}
}

// WithoutHistogram turns the handling-time histogram (grpc_server_handling_seconds,
// grpc_client_handling_seconds) off, for those who cannot afford its series. Default: on.
func WithoutHistogram() Option {
	return func(o *options) { o.histogram = false }
}

// WithExemplarInterval sets how long an exemplar stays before a sampled call may replace it.
// Default: 1 s.
//
// Exemplars come only from calls whose span is sampled. Each grpc_code of *_handled_total and
// each bucket of *_handling_seconds keeps its own exemplar, and takes a new one from a sampled
// call only when it has had none for at least d; otherwise the call is counted and observed
// without one, at no cost. So a slow call that lands in a bucket with no recent exemplar
// always leaves its trace ID there, however many fast calls fill the other buckets. (A
// native-only histogram has no classic buckets; its exemplars are spread the same way over
// the default bucket bounds.)
//
// Prometheus only sees the latest exemplar of a counter or bucket at each scrape, so an
// interval shorter than the scrape interval loses nothing that Prometheus would have stored,
// and saves client_golang building an exemplar (a dto.Exemplar with its timestamp and label
// pairs, about 7 allocations) for the counter and the histogram of nearly every sampled call.
// 0 gives every sampled call its two exemplars, each replacing the one before; a negative d
// is an error (see Option).
func WithExemplarInterval(d time.Duration) Option {
	return func(o *options) {
		if d < 0 {
			o.fail("WithExemplarInterval", fmt.Errorf("negative interval %v", d))
			return
		}
		o.exemplarInterval = d
	}
}

// checkBuckets reports why buckets cannot be histogram bounds, or nil.
func checkBuckets(buckets []float64) error {
	if len(buckets) == 0 {
		return errors.New("no bounds")
	}
	for i, b := range buckets {
		switch {
		case math.IsNaN(b):
			return fmt.Errorf("bound %d is NaN: %v", i, buckets)
		case math.IsInf(b, -1):
			return fmt.Errorf("bound %d is -Inf: %v", i, buckets)
		case math.IsInf(b, 1) && i != len(buckets)-1:
			return fmt.Errorf("+Inf is not the last bound: %v", buckets)
		case i > 0 && b <= buckets[i-1]:
			return fmt.Errorf("buckets not sorted: %v (each bound must be greater than the one before)", buckets)
		}
	}
	return nil
}

// WithAttempts counts each attempt of a client call, retries included, in
// grpc_client_attempts_total{grpc_type, grpc_service, grpc_method, grpc_code}, under the code
// the attempt ended with, when it ends. grpc-go retries a call itself (a service config's
// retryPolicy, and transparently a stream refused before it reached the server's handler);
// grpc_client_handled_total counts the call once, with its final code. The method labels are
// those of the call's other series (the same known-method bound). It needs the stack of
// interceptors.DialOptions, which then also installs a stats handler that follows the
// attempts; under other interceptors the series stays empty. Client only: a server ignores it.
//
// Default: no attempt series.
func WithAttempts() Option {
	return func(o *options) { o.attempts = true }
}

// WithClientStreamSendHistogram adds grpc_client_msg_send_handling_seconds{grpc_type,
// grpc_service, grpc_method}: the time each SendMsg of a client call took, named, labelled and
// observed as go-grpc-middleware's providers/prometheus does with its option of the same name,
// for those who migrate dashboards built on it. Like there, every call type is observed, with
// or without an error: a stream's every SendMsg, and a unary call's request once, with the
// (near zero) time from the call's start to the request being handed to grpc-go. Default
// buckets: client_golang's DefBuckets, as providers/prometheus; buckets, if given, replace them
// (the rules of WithHistogramBuckets apply, an error is reported as for any Option). Classic
// buckets only, no exemplars. Client only: a server ignores it. Off by default; while off,
// messages are not timed and the option costs nothing.
func WithClientStreamSendHistogram(buckets ...float64) Option {
	return messageHistogram("WithClientStreamSendHistogram", buckets, func(o *options) *[]float64 { return &o.msgSendBuckets })
}

// WithClientStreamRecvHistogram adds grpc_client_msg_recv_handling_seconds{grpc_type,
// grpc_service, grpc_method}: the time each RecvMsg of a client call took, the final io.EOF or
// error included, named, labelled and observed as go-grpc-middleware's providers/prometheus
// does with its option of the same name. A unary call's response is observed once, with the
// time of the whole call. Buckets, defaults and cost are those of
// WithClientStreamSendHistogram. Client only: a server ignores it.
func WithClientStreamRecvHistogram(buckets ...float64) Option {
	return messageHistogram("WithClientStreamRecvHistogram", buckets, func(o *options) *[]float64 { return &o.msgRecvBuckets })
}

// messageHistogram is the Option that turns a per-message histogram on, with buckets or
// DefBuckets; field picks which one.
func messageHistogram(name string, buckets []float64, field func(*options) *[]float64) Option {
	if len(buckets) == 0 {
		buckets = prometheus.DefBuckets
	}
	buckets = slices.Clone(buckets)
	err := checkBuckets(buckets)
	return func(o *options) {
		if err != nil {
			o.fail(name, err)
			return
		}
		*field(o) = buckets
	}
}

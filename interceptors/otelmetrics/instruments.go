package otelmetrics

import (
	"reflect"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	semconvlegacy "go.opentelemetry.io/otel/semconv/v1.37.0"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// ScopeName is the instrumentation scope of the instruments this package creates.
const ScopeName = "github.com/grpcobs/grpcobs/interceptors/otelmetrics"

// instruments are the instruments of one meter. A nil instrument is one the signal's
// conventions do not record.
type instruments struct {
	duration metric.Float64Histogram // rpc.{side}.call.duration (s), or grpc.{side}.call.duration (s)
	legacy   metric.Float64Histogram // rpc.{side}.duration (ms), for rpc/old and rpc/dup
	started  metric.Int64Counter     // grpc.server.call.started, A66 servers only

	// grpc.client.attempt.*, A66 clients with WithAttempts only.
	attemptStarted  metric.Int64Counter
	attemptDuration metric.Float64Histogram
	attemptSent     metric.Int64Histogram
	attemptRcvd     metric.Int64Histogram
}

// semconvBuckets are the advisory bucket boundaries, in seconds, that the semantic conventions
// v1.43.0 give rpc.server.call.duration and rpc.client.call.duration.
var semconvBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// a66LatencyBuckets are the bucket boundaries, in seconds, of grpc-go's plugin
// (stats/opentelemetry.DefaultLatencyBounds), which gRFC A66 recommends.
var a66LatencyBuckets = []float64{0, 0.00001, 0.00005, 0.0001, 0.0003, 0.0006, 0.0008, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01, 0.013, 0.016, 0.02, 0.025, 0.03, 0.04, 0.05, 0.065, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.65, 0.8, 1, 2, 5, 10, 20, 50, 100}

// a66SizeBuckets are the bucket boundaries, in bytes, of grpc-go's plugin
// (stats/opentelemetry.DefaultSizeBounds): 0, 1 KiB, 2 KiB, 4 KiB, 16 KiB, then by fours to 4 GiB.
var a66SizeBuckets = []float64{0, 1024, 2048, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864, 268435456, 1073741824, 4294967296}

// instrumentText is an instrument's name, unit and description.
type instrumentText struct{ name, unit, description string }

// The instruments' texts, word for word those of the semantic conventions and of grpc-go's
// plugin.
var (
	serverCallDuration = instrumentText{"rpc.server.call.duration", "s", "Measures the duration of an incoming Remote Procedure Call (RPC)."}
	clientCallDuration = instrumentText{"rpc.client.call.duration", "s", "Measures the duration of an outgoing Remote Procedure Call (RPC)."}
	serverDuration     = instrumentText{"rpc.server.duration", "ms", "Measures the duration of inbound RPC."}
	clientDuration     = instrumentText{"rpc.client.duration", "ms", "Measures the duration of outbound RPC."}

	a66ServerCallStarted  = instrumentText{"grpc.server.call.started", "{call}", "Number of server calls started."}
	a66ServerCallDuration = instrumentText{"grpc.server.call.duration", "s", "End-to-end time taken to complete a call from server transport's perspective."}
	a66ClientCallDuration = instrumentText{"grpc.client.call.duration", "s", "Time taken by gRPC to complete an RPC from application's perspective."}

	a66ClientAttemptStarted  = instrumentText{"grpc.client.attempt.started", "{attempt}", "Number of client call attempts started."}
	a66ClientAttemptDuration = instrumentText{"grpc.client.attempt.duration", "s", "End-to-end time taken to complete a client call attempt."}
	a66ClientAttemptSent     = instrumentText{"grpc.client.attempt.sent_total_compressed_message_size", "By", "Compressed message bytes sent per client call attempt."}
	a66ClientAttemptRcvd     = instrumentText{"grpc.client.attempt.rcvd_total_compressed_message_size", "By", "Compressed message bytes received per call attempt."}
)

// newInstruments creates the instruments of conv on one side from mp, and the attempt
// instruments when attempts says so. An instrument the provider refuses is reported to
// otel.Handle and not recorded; the call goes on.
func newInstruments(mp metric.MeterProvider, conv conventions, isClient, attempts bool) *instruments {
	var opts []metric.MeterOption
	switch {
	case conv&conventionsCurrent != 0:
		opts = append(opts, metric.WithSchemaURL(semconv.SchemaURL))
	case conv&conventionsLegacy != 0:
		opts = append(opts, metric.WithSchemaURL(semconvlegacy.SchemaURL))
	}
	meter := mp.Meter(ScopeName, opts...)
	in := &instruments{}
	histogram := func(t instrumentText, buckets []float64) metric.Float64Histogram {
		hopts := []metric.Float64HistogramOption{metric.WithUnit(t.unit), metric.WithDescription(t.description)}
		if buckets != nil {
			hopts = append(hopts, metric.WithExplicitBucketBoundaries(buckets...))
		}
		h, err := meter.Float64Histogram(t.name, hopts...)
		if err != nil {
			otel.Handle(err)
			return nil
		}
		return h
	}
	counter := func(t instrumentText) metric.Int64Counter {
		c, err := meter.Int64Counter(t.name, metric.WithUnit(t.unit), metric.WithDescription(t.description))
		if err != nil {
			otel.Handle(err)
			return nil
		}
		return c
	}
	sizes := func(t instrumentText) metric.Int64Histogram {
		h, err := meter.Int64Histogram(t.name, metric.WithUnit(t.unit), metric.WithDescription(t.description), metric.WithExplicitBucketBoundaries(a66SizeBuckets...))
		if err != nil {
			otel.Handle(err)
			return nil
		}
		return h
	}
	switch {
	case conv&conventionsA66 != 0 && isClient:
		in.duration = histogram(a66ClientCallDuration, a66LatencyBuckets)
		if attempts {
			in.attemptStarted = counter(a66ClientAttemptStarted)
			in.attemptDuration = histogram(a66ClientAttemptDuration, a66LatencyBuckets)
			in.attemptSent = sizes(a66ClientAttemptSent)
			in.attemptRcvd = sizes(a66ClientAttemptRcvd)
		}
	case conv&conventionsA66 != 0:
		in.duration = histogram(a66ServerCallDuration, a66LatencyBuckets)
		in.started = counter(a66ServerCallStarted)
	default:
		current, legacy := serverCallDuration, serverDuration
		if isClient {
			current, legacy = clientCallDuration, clientDuration
		}
		if conv&conventionsCurrent != 0 {
			in.duration = histogram(current, semconvBuckets)
		}
		if conv&conventionsLegacy != 0 {
			// The conventions v1.37.0 advise no buckets: the SDK's default ones apply.
			in.legacy = histogram(legacy, nil)
		}
	}
	return in
}

// meterSource gives the instruments for a call: those of the configured provider, or, by
// default, those of the global provider at the time of the call, so that a provider set with
// otel.SetMeterProvider after the signal was built still applies.
type meterSource struct {
	conv     conventions
	isClient bool
	attempts bool
	fixed    *instruments // from WithMeterProvider; nil: follow the global provider
	global   atomic.Pointer[globalInstruments]
}

// globalInstruments are the instruments of the global provider last seen.
type globalInstruments struct {
	provider    metric.MeterProvider
	instruments *instruments
}

func newMeterSource(mp metric.MeterProvider, conv conventions, isClient, attempts bool) *meterSource {
	s := &meterSource{conv: conv, isClient: isClient, attempts: attempts}
	if mp != nil {
		s.fixed = newInstruments(mp, conv, isClient, attempts)
	}
	return s
}

// current returns the instruments to record a call with, creating them only when the global
// provider changed. Providers are compared only when their type is comparable (a provider of
// any other type is asked at every call).
func (s *meterSource) current() *instruments {
	if s.fixed != nil {
		return s.fixed
	}
	mp := otel.GetMeterProvider()
	if g := s.global.Load(); g != nil && sameProvider(g.provider, mp) {
		return g.instruments
	}
	in := newInstruments(mp, s.conv, s.isClient, s.attempts)
	if reflect.TypeOf(mp).Comparable() {
		s.global.Store(&globalInstruments{provider: mp, instruments: in})
	}
	return in
}

// sameProvider compares two providers, the first of a comparable type, without panicking.
func sameProvider(cached, mp metric.MeterProvider) bool {
	return reflect.TypeOf(cached) == reflect.TypeOf(mp) && cached == mp
}

package otelmetrics

import (
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"go.opentelemetry.io/otel/metric"
)

// Option configures a Server or a Client. Both sides take the same options. A nil Option is
// ignored, and so is an option given a nil value: construction never fails.
type Option func(*options)

type options struct {
	meterProvider metric.MeterProvider // nil: the global provider, looked up at each call
	a66           bool
	attempts      bool
	policy        interceptors.StatusPolicy
}

func newOptions(opts []Option) options {
	return signal.Apply(options{policy: interceptors.DefaultStatusPolicy()}, opts)
}

// WithMeterProvider sets the provider of the meter that creates the instruments.
//
// Default: otel's global provider as it is at each call (otel.GetMeterProvider), so a
// provider set with otel.SetMeterProvider after the signal was built applies to the calls
// that follow.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(o *options) {
		if mp != nil {
			o.meterProvider = mp
		}
	}
}

// WithStatusPolicy sets the status policy that decides which codes add error.type. Give every
// signal of a stack the same policy. Default: interceptors.DefaultStatusPolicy().
func WithStatusPolicy(p interceptors.StatusPolicy) Option {
	return func(o *options) { o.policy = p }
}

// WithA66 records the call metrics of gRFC A66 instead of the semantic conventions' ones,
// named, labelled and bucketed as grpc-go's stats/opentelemetry plugin does, so that
// dashboards built for that plugin keep working:
//
//	grpc.server.call.started   counter    {call}  grpc.method
//	grpc.server.call.duration  histogram  s       grpc.method, grpc.status
//	grpc.client.call.duration  histogram  s       grpc.method, grpc.target, grpc.status
//
// The plugin's server compressed-size histograms
// (grpc.server.call.sent_total_compressed_message_size and
// grpc.server.call.rcvd_total_compressed_message_size) are not recorded: only a stats handler
// sees compressed sizes, and grpcobs installs one on clients only. Its per-attempt client
// metrics are recorded with WithAttempts. OTEL_SEMCONV_STABILITY_OPT_IN does not apply to
// them.
//
// To record both families, put two signals in the stack, one with WithA66 and one without.
func WithA66() Option {
	return func(o *options) { o.a66 = true }
}

// WithAttempts makes an A66 Client (WithA66) also record each attempt of its calls, as
// grpc-go's stats/opentelemetry plugin does (its default metrics), named, described, labelled
// and bucketed as the plugin does:
//
//	grpc.client.attempt.started                             counter    {attempt}  grpc.method, grpc.target
//	grpc.client.attempt.duration                            histogram  s          grpc.method, grpc.target, grpc.status
//	grpc.client.attempt.sent_total_compressed_message_size  histogram  By         grpc.method, grpc.target, grpc.status
//	grpc.client.attempt.rcvd_total_compressed_message_size  histogram  By         grpc.method, grpc.target, grpc.status
//
// grpc-go retries a call itself (a service config's retryPolicy, and transparently a stream
// refused before it reached the server): interceptors.DialOptions then also installs the
// stack's stats handler, which sees each attempt and the compressed size of each message it
// sends and receives, as the plugin's does. The attempts' grpc.method and grpc.target are the
// call's, under the same bounds.
//
// It does nothing on a Server (both sides take the same options), and nothing in the default
// semantic-conventions family, which defines no attempt metrics: without WithA66 no stats
// handler is installed. Default: off.
func WithAttempts() Option {
	return func(o *options) { o.attempts = true }
}

package otelmetrics

import (
	"fmt"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/knownmethods"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
)

// Option configures a Server or a Client. Both sides take the same options. A nil Option is
// ignored, and so is an option given a nil value: construction never fails.
type Option func(*options)

type options struct {
	meterProvider    metric.MeterProvider // nil: the global provider, looked up at each call
	a66              bool
	policy           interceptors.StatusPolicy
	knownMethods     []knownmethods.Method
	firstSeenMethods int
}

func newOptions(opts []Option) options {
	o := options{policy: interceptors.DefaultStatusPolicy()}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
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

// WithKnownMethods makes the named methods ("/package.Service/Method", the leading slash
// optional) known, as metrics.WithKnownMethods does for the Prometheus series: they get
// attribute values of their own even when no generated code linked into the program declares
// them. On a server, methods registered on the server are always known. A name that is not a
// full method name is reported to otel.Handle, naming this option, and ignored. Default: none.
func WithKnownMethods(methods ...string) Option {
	parsed := make([]knownmethods.Method, 0, len(methods))
	for _, name := range methods {
		m, err := knownmethods.ParseMethod(name)
		if err != nil {
			otel.Handle(fmt.Errorf("otelmetrics.WithKnownMethods: %w", err))
			continue
		}
		parsed = append(parsed, m)
	}
	return func(o *options) { o.knownMethods = append(o.knownMethods, parsed...) }
}

// WithFirstSeenMethods makes the first n methods this side sees known, beyond the declared,
// registered and listed ones; the bound keeps a caller of random names from minting
// attribute values. A negative n is reported to otel.Handle, naming this option, and ignored.
// Default: 0.
func WithFirstSeenMethods(n int) Option {
	if err := knownmethods.CheckFirstSeen(n); err != nil {
		otel.Handle(fmt.Errorf("otelmetrics.WithFirstSeenMethods: %w", err))
		return nil
	}
	return func(o *options) { o.firstSeenMethods = n }
}

// WithA66 records the call metrics of gRFC A66 instead of the semantic conventions' ones,
// named, labelled and bucketed as grpc-go's stats/opentelemetry plugin does, so that
// dashboards built for that plugin keep working:
//
//	grpc.server.call.started   counter    {call}  grpc.method
//	grpc.server.call.duration  histogram  s       grpc.method, grpc.status
//	grpc.client.call.duration  histogram  s       grpc.method, grpc.target, grpc.status
//
// The plugin's compressed-size histograms (grpc.server.call.sent_total_compressed_message_size
// and grpc.server.call.rcvd_total_compressed_message_size) and its per-attempt client metrics
// are not recorded: only a stats handler sees compressed sizes and attempts, and an
// interceptor does not. OTEL_SEMCONV_STABILITY_OPT_IN does not apply to them.
//
// To record both families, put two signals in the stack, one with WithA66 and one without.
func WithA66() Option {
	return func(o *options) { o.a66 = true }
}

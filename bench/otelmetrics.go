package bench

import (
	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace/noop"
	"google.golang.org/grpc"
	grpcotel "google.golang.org/grpc/stats/opentelemetry"
)

// The OpenTelemetry metrics configurations: grpcobs' otelmetrics signal and the two anchors
// that define its families, each recording into an SDK meter provider of its own.

// newMetricReader makes the reader of a configuration's meter provider: a ManualReader that
// nothing collects, so that the calls pay for recording, as they would with any exporter, and
// no goroutine exports on a timer while the benchmark runs. Tests replace it to read what the
// configurations recorded.
var newMetricReader = func() sdkmetric.Reader { return sdkmetric.NewManualReader() }

// meterProvider returns the configuration's SDK meter provider.
func (b *builder) meterProvider() *sdkmetric.MeterProvider {
	if b.meters == nil {
		b.meters = sdkmetric.NewMeterProvider(sdkmetric.WithReader(newMetricReader()))
		b.stack.shutdown = append(b.stack.shutdown, b.meters.Shutdown)
	}
	return b.meters
}

// grpcobsOtelMetrics records both sides with grpcobs' otelmetrics signal in its default
// family, the semantic conventions' rpc.{server,client}.call.duration.
func grpcobsOtelMetrics() signal {
	return func(b *builder) {
		mp := otelmetrics.WithMeterProvider(b.meterProvider())
		b.serverReportables = append(b.serverReportables, otelmetrics.NewServer(mp))
		b.clientReportables = append(b.clientReportables, otelmetrics.NewClient(mp))
	}
}

// anchorOtelMetrics records both sides with otelgrpc's stats handlers and an SDK meter
// provider: the same semantic-conventions histograms. Its tracing is given a no-op provider,
// so that only its metrics are measured.
func anchorOtelMetrics() signal {
	return func(b *builder) {
		opts := []otelgrpc.Option{otelgrpc.WithMeterProvider(b.meterProvider()), otelgrpc.WithTracerProvider(noop.NewTracerProvider())}
		b.stack.ServerOptions = append(b.stack.ServerOptions, grpc.StatsHandler(otelgrpc.NewServerHandler(opts...)))
		b.stack.DialOptions = append(b.stack.DialOptions, grpc.WithStatsHandler(otelgrpc.NewClientHandler(opts...)))
	}
}

// anchorGRPCMetrics records both sides with grpc-go's stats/opentelemetry plugin (gRFC A66)
// and an SDK meter provider, with the plugin's default metrics, as its documentation shows.
func anchorGRPCMetrics() signal {
	return func(b *builder) {
		opts := grpcotel.Options{MetricsOptions: grpcotel.MetricsOptions{MeterProvider: b.meterProvider()}}
		b.stack.ServerOptions = append(b.stack.ServerOptions, grpcotel.ServerOption(opts))
		b.stack.DialOptions = append(b.stack.DialOptions, grpcotel.DialOption(opts))
	}
}

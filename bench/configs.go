package bench

import (
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Config is one named configuration: which signals, whose, and how they sample.
type Config struct {
	// Name identifies the configuration in benchmark names ("config=grpcobs-full").
	Name    string
	signals []signal
}

// Bare is the name of the configuration without any signal, the baseline of every ratio.
const Bare = "bare"

// sampleAlways and sampleOnePercent are the two trace samplers the configurations use.
// The second follows the caller's decision when there is one, as production services do.
var (
	sampleAlways     = sdktrace.AlwaysSample()
	sampleOnePercent = sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.01))
)

// Configs returns every configuration, bare first: each grpcobs signal alone (the
// OpenTelemetry metrics signal among them), the grpcobs stack, the grpcobs stack as a
// production service would sample it, the same two written by hand with the same building
// blocks, each anchor signal alone (the two OpenTelemetry metrics anchors among them) and the
// anchor stack; logging and the full stack also through log/slog, and the anchor's logging
// too. Both sides of a call are instrumented alike.
func Configs() []Config {
	return []Config{
		{Name: Bare},
		{Name: "grpcobs-tracing", signals: []signal{grpcobsTracing(sampleAlways)}},
		{Name: "grpcobs-metrics", signals: []signal{grpcobsMetrics()}},
		{Name: "grpcobs-logging", signals: []signal{grpcobsLogging(logEverySuccess)}},
		// The logging signal through log/slog's JSONHandler instead of logrus (issue 24).
		{Name: "grpcobs-logging-slog", signals: []signal{grpcobsSlogLogging()}},
		{Name: "grpcobs-otelmetrics", signals: []signal{grpcobsOtelMetrics()}},
		{Name: "grpcobs-statuspage", signals: []signal{grpcobsStatusPage()}},
		{Name: "grpcobs-full", signals: []signal{grpcobsTracing(sampleAlways), grpcobsMetrics(), grpcobsLogging(logEverySuccess)}},
		{Name: "grpcobs-full-slog", signals: []signal{grpcobsTracing(sampleAlways), grpcobsMetrics(), grpcobsSlogLogging()}},
		{Name: "grpcobs-full-statuspage", signals: []signal{grpcobsTracing(sampleAlways), grpcobsMetrics(), grpcobsLogging(logEverySuccess), grpcobsStatusPage()}},
		// The full stack with per-attempt reporting on the client (attempt spans and
		// grpc_client_attempts_total), on calls that are never retried: the option's cost.
		{Name: "grpcobs-full-attempts", signals: []signal{grpcobsTracing(sampleAlways, tracing.WithAttemptSpans()), grpcobsMetrics(metrics.WithAttempts()), grpcobsLogging(logEverySuccess)}},
		// The same with attempts counted (grpc_client_attempts_total) but no attempt spans: the
		// stats handler grpc-go calls on every attempt and the stack's attempt records, apart
		// from the spans; grpcobs-full-attempts minus this is what the attempt spans cost.
		{Name: "grpcobs-full-attempt-counts", signals: []signal{grpcobsTracing(sampleAlways), grpcobsMetrics(metrics.WithAttempts()), grpcobsLogging(logEverySuccess)}},
		// Production: 1% of traces, every call counted, one success in 100 logged and every
		// failure.
		{Name: "grpcobs-production", signals: []signal{grpcobsTracing(sampleOnePercent), grpcobsMetrics(), grpcobsLogging(100)}},
		// The same building blocks doing the same essential work, by hand, with nothing else
		// (handrolled.go): what the building blocks cost without grpcobs.
		{Name: "handrolled-full", signals: []signal{handrolledStack(sampleAlways, logEverySuccess)}},
		{Name: "handrolled-production", signals: []signal{handrolledStack(sampleOnePercent, 100)}},
		{Name: "anchor-tracing", signals: []signal{anchorTracing()}},
		{Name: "anchor-metrics", signals: []signal{anchorMetrics()}},
		{Name: "anchor-logging", signals: []signal{anchorLogging()}},
		// go-grpc-middleware's logging interceptor through log/slog, with the adapter of that
		// project's slog example, to slog's JSONHandler.
		{Name: "anchor-logging-slog", signals: []signal{anchorSlogLogging()}},
		// OpenTelemetry metrics: otelgrpc's (semantic conventions) and grpc-go's plugin's
		// (gRFC A66), each with an SDK meter provider.
		{Name: "anchor-otelmetrics", signals: []signal{anchorOtelMetrics()}},
		{Name: "anchor-grpcmetrics", signals: []signal{anchorGRPCMetrics()}},
		{Name: "anchor-full", signals: []signal{anchorTracing(), anchorMetrics(), anchorLogging()}},
	}
}

// Build makes the configuration's stack, with resources of its own. Shut it down after use.
func (c Config) Build() *Stack {
	b := &builder{stack: &Stack{}}
	for _, add := range c.signals {
		add(b)
	}
	if len(b.serverReportables) > 0 {
		b.stack.ServerOptions = append(interceptors.ServerOptions(b.serverReportables...), b.stack.ServerOptions...)
		b.stack.DialOptions = append(interceptors.DialOptions(b.clientReportables...), b.stack.DialOptions...)
	}
	return b.stack
}

// signal adds one signal, on both sides, to the stack being built.
type signal func(*builder)

// builder gathers what a configuration's signals add: grpcobs signals become reportables of
// one grpcobs stack per side, in the order given; anchor signals add their own options.
type builder struct {
	stack             *Stack
	meters            *sdkmetric.MeterProvider // made on first use, see meterProvider
	serverReportables []interceptors.ServerReportable
	clientReportables []interceptors.ClientReportable
}

package telemetry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/metric"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// exportersEnv names the exporters, as the OpenTelemetry SDK environment specification says.
const exportersEnv = "OTEL_TRACES_EXPORTER"

// Setup is a tracer provider, a meter provider, a logger provider, and what they export to.
type Setup struct {
	// Provider is the tracer provider to hand to the instrumentation.
	Provider *sdktrace.TracerProvider
	// Exporter names the span exporter in use ("otlp", "console" or "none"), for the startup log.
	Exporter string
	// Meters is the meter provider to hand to the instrumentation: a no-op one unless
	// OTEL_METRICS_EXPORTER asks for an exporter.
	Meters metric.MeterProvider
	// MetricsExporter names the metrics exporter in use ("otlp", "console" or "none").
	MetricsExporter string
	// LogsExporter names the logs exporter in use ("otlp", "console" or "none"); the log
	// bridges (AddLogrusHook, SlogHandler) send records to it.
	LogsExporter string

	stopMeters func(context.Context) error
	logs       *sdklog.LoggerProvider // nil: OTEL_LOGS_EXPORTER is none
}

// Shutdown flushes the spans, the metrics and the log records still buffered and stops the
// exporters. Log lines written after it reach stdout (or stderr) only.
func (s *Setup) Shutdown(ctx context.Context) error {
	err := errors.Join(s.Provider.Shutdown(ctx), s.stopMeters(ctx))
	if s.logs != nil {
		err = errors.Join(err, s.logs.Shutdown(ctx))
	}
	return err
}

// New builds the tracer, meter and logger providers for serviceName from the environment. Console
// output goes to console (stderr in the examples), never to stdout, which carries only log
// lines.
func New(ctx context.Context, serviceName string, console io.Writer) (*Setup, error) {
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(serviceName)),
		resource.WithFromEnv(),
		resource.WithTelemetrySDK(),
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("building the OpenTelemetry resource: %w", err)
	}

	name := strings.TrimSpace(os.Getenv(exportersEnv))
	if name == "" {
		name = "console"
	}
	exp, err := newExporter(ctx, name, console)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w", exportersEnv, name, err)
	}
	m, err := newMeters(ctx, res, console)
	if err != nil {
		if exp != nil {
			_ = exp.Shutdown(ctx)
		}
		return nil, err
	}
	logs, logsExporter, err := newLogs(ctx, res, console)
	if err != nil {
		if exp != nil {
			_ = exp.Shutdown(ctx)
		}
		_ = m.shutdown(ctx)
		return nil, err
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if exp != nil {
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	return &Setup{
		Provider:        sdktrace.NewTracerProvider(opts...),
		Exporter:        name,
		Meters:          m.provider,
		MetricsExporter: m.exporter,
		LogsExporter:    logsExporter,
		stopMeters:      m.shutdown,
		logs:            logs,
	}, nil
}

// newExporter builds the named exporter; nil means "none". Console is built here so that it
// writes to the given writer (autoexport's writes to stdout); every other name is left to
// autoexport, which reads the variables itself and builds otel's own OTLP exporters.
func newExporter(ctx context.Context, name string, console io.Writer) (sdktrace.SpanExporter, error) {
	if name == "console" {
		return stdouttrace.New(stdouttrace.WithWriter(console), stdouttrace.WithPrettyPrint())
	}
	exp, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return nil, err
	}
	if autoexport.IsNoneSpanExporter(exp) {
		return nil, nil
	}
	return exp, nil
}

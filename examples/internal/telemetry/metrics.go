package telemetry

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
)

// metricsExportersEnv names the metrics exporters, as the OpenTelemetry SDK environment
// specification says.
const metricsExportersEnv = "OTEL_METRICS_EXPORTER"

// meters is the meter provider and how to stop it.
type meters struct {
	provider metric.MeterProvider
	exporter string
	shutdown func(context.Context) error
}

// newMeters builds the meter provider from OTEL_METRICS_EXPORTER. Unset means "none": the
// examples' metrics are the Prometheus series on /metrics, and OpenTelemetry metrics are
// exported only when asked for. "console" prints them readably on console (stderr in the
// examples) at each export interval (OTEL_METRIC_EXPORT_INTERVAL) and at shutdown; every
// other name is left to autoexport ("otlp" with the OTEL_EXPORTER_OTLP_* variables).
func newMeters(ctx context.Context, res *resource.Resource, console io.Writer) (*meters, error) {
	name := strings.TrimSpace(os.Getenv(metricsExportersEnv))
	if name == "" {
		name = "none"
	}
	reader, err := newMetricReader(ctx, name, console)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w", metricsExportersEnv, name, err)
	}
	if reader == nil {
		return &meters{provider: noop.NewMeterProvider(), exporter: name, shutdown: func(context.Context) error { return nil }}, nil
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res), sdkmetric.WithReader(reader))
	return &meters{provider: mp, exporter: name, shutdown: mp.Shutdown}, nil
}

// newMetricReader builds the named exporter's reader; nil means "none". Console is built here
// so that it writes to the given writer (autoexport's writes to stdout).
func newMetricReader(ctx context.Context, name string, console io.Writer) (sdkmetric.Reader, error) {
	switch name {
	case "none":
		return nil, nil
	case "console":
		exp, err := stdoutmetric.New(stdoutmetric.WithWriter(console), stdoutmetric.WithPrettyPrint())
		if err != nil {
			return nil, err
		}
		return sdkmetric.NewPeriodicReader(exp), nil
	}
	return autoexport.NewMetricReader(ctx)
}

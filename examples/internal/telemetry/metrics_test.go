package telemetry_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/examples/internal/telemetry"
	"go.opentelemetry.io/otel/metric/noop"
)

func TestMetricsExporterFollowsTheEnvironment(t *testing.T) {
	// A collector on loopback for "otlp": the reader exports once more at shutdown.
	collector, exports := otlpCollector(t, "/v1/metrics")
	for _, tc := range []struct {
		env, want string
		noop      bool
	}{
		{env: "", want: "none", noop: true},
		{env: "none", want: "none", noop: true},
		{env: "console", want: "console"},
		{env: "otlp", want: "otlp"},
	} {
		t.Run("OTEL_METRICS_EXPORTER="+tc.env, func(t *testing.T) {
			exportOTLPTo(t, collector)
			t.Setenv("OTEL_METRICS_EXPORTER", tc.env)
			exports.Store(0)
			setup, err := telemetry.New(context.Background(), "test-service", &bytes.Buffer{})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if setup.MetricsExporter != tc.want {
				t.Errorf("MetricsExporter = %q, want %q", setup.MetricsExporter, tc.want)
			}
			if _, isNoop := setup.Meters.(noop.MeterProvider); isNoop != tc.noop {
				t.Errorf("Meters is a %T, want a no-op provider: %v", setup.Meters, tc.noop)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := setup.Shutdown(ctx); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
			if got := exports.Load() > 0; got != (tc.want == "otlp") {
				t.Errorf("%d exports reached the collector, want some only for otlp", exports.Load())
			}
		})
	}
}

// Console metrics go readably to the writer given (stderr in the examples), never to stdout,
// at the latest when the setup shuts down.
func TestConsoleWritesReadableMetricsToTheGivenWriter(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	t.Setenv("OTEL_METRICS_EXPORTER", "console")
	var console bytes.Buffer
	setup, err := telemetry.New(context.Background(), "test-service", &console)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	counter, err := setup.Meters.Meter("test").Int64Counter("test.calls")
	if err != nil {
		t.Fatalf("counter: %v", err)
	}
	counter.Add(context.Background(), 1)
	if err := setup.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for _, want := range []string{`"Name": "test.calls"`, `"Value": "test-service"`} {
		if !strings.Contains(console.String(), want) {
			t.Errorf("console output lacks %s:\n%s", want, console.String())
		}
	}
}

func TestUnknownMetricsExporterIsAnError(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	t.Setenv("OTEL_METRICS_EXPORTER", "carrier-pigeon")
	if _, err := telemetry.New(context.Background(), "test-service", &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "OTEL_METRICS_EXPORTER") || !strings.Contains(err.Error(), "carrier-pigeon") {
		t.Errorf("New with an unknown metrics exporter: %v, want an error naming the variable and the value", err)
	}
}

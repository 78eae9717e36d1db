package telemetry_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/examples/internal/telemetry"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestExporterFollowsTheEnvironment(t *testing.T) {
	for _, tc := range []struct {
		env, want string
	}{
		{env: "", want: "console"},
		{env: "console", want: "console"},
		{env: "none", want: "none"},
		{env: "otlp", want: "otlp"},
	} {
		t.Run("OTEL_TRACES_EXPORTER="+tc.env, func(t *testing.T) {
			t.Setenv("OTEL_TRACES_EXPORTER", tc.env)
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1") // never dialled: no span is exported
			setup, err := telemetry.New(context.Background(), "test-service", &bytes.Buffer{})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if setup.Exporter != tc.want {
				t.Errorf("Exporter = %q, want %q", setup.Exporter, tc.want)
			}
			if err := setup.Shutdown(context.Background()); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
		})
	}
}

func TestConsoleWritesReadableSpansToTheGivenWriter(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "console")
	var console bytes.Buffer
	setup, err := telemetry.New(context.Background(), "test-service", &console)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	_, span := setup.Provider.Tracer("test").Start(context.Background(), "a-span")
	span.End()
	if err := setup.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for _, want := range []string{`"Name": "a-span"`, `"Value": "test-service"`} {
		if !strings.Contains(console.String(), want) {
			t.Errorf("console output lacks %s:\n%s", want, console.String())
		}
	}
}

func TestUnknownExporterIsAnError(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "carrier-pigeon")
	if _, err := telemetry.New(context.Background(), "test-service", &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "carrier-pigeon") {
		t.Errorf("New with an unknown exporter: %v, want an error naming it", err)
	}
}

package telemetry_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/examples/internal/telemetry"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutlog"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"
)

// A context with a known span, as a logged call's is.
func spanContext() context.Context {
	return trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	}))
}

// OTEL_LOGS_EXPORTER picks the logs exporter; unset is "none", where the bridges are not
// installed at all and the lines go to their writer alone.
func TestLogsExporterFollowsTheEnvironment(t *testing.T) {
	collector, exports := otlpCollector(t, "/v1/logs")
	for _, tc := range []struct{ env, want string }{
		{env: "", want: "none"},
		{env: "none", want: "none"},
		{env: "console", want: "console"},
		{env: "otlp", want: "otlp"},
	} {
		t.Run("OTEL_LOGS_EXPORTER="+tc.env, func(t *testing.T) {
			exportOTLPTo(t, collector)
			t.Setenv("OTEL_LOGS_EXPORTER", tc.env)
			exports.Store(0)
			var console bytes.Buffer
			setup, err := telemetry.New(context.Background(), "test-service", &console)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if setup.LogsExporter != tc.want {
				t.Errorf("LogsExporter = %q, want %q", setup.LogsExporter, tc.want)
			}
			var stdout bytes.Buffer
			json := slog.NewJSONHandler(&stdout, nil)
			h := setup.SlogHandler(json, "test", slog.LevelInfo)
			if bridged := h != slog.Handler(json); bridged != (tc.want != "none") {
				t.Errorf("SlogHandler bridges: %v, want %v", bridged, tc.want != "none")
			}
			slog.New(h).InfoContext(spanContext(), "hello")
			if err := setup.Shutdown(context.Background()); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
			if !strings.Contains(stdout.String(), `"msg":"hello"`) {
				t.Errorf("the JSON line is missing with OTEL_LOGS_EXPORTER=%q: %q", tc.env, stdout.String())
			}
			if got := exports.Load() > 0; got != (tc.want == "otlp") {
				t.Errorf("%d exports reached the collector, want some only for otlp", exports.Load())
			}
			if got := strings.Contains(console.String(), `"Body"`); got != (tc.want == "console") {
				t.Errorf("console has a record: %v, want one only for console:\n%s", got, console.String())
			}
		})
	}
}

// With "console", both bridges print their records readably on the given writer (stderr in
// the examples), with the trace and span ids of the context each line was logged with, the
// fields as attributes, and only at the level asked for and above.
func TestConsoleLogRecordsCarryTheTraceIDs(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	t.Setenv("OTEL_LOGS_EXPORTER", "console")
	var console bytes.Buffer
	setup, err := telemetry.New(context.Background(), "test-service", &console)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx := spanContext()

	logger := logrus.New()
	logger.SetOutput(&bytes.Buffer{})
	setup.AddLogrusHook(logger, "test-logrus")
	logger.WithContext(ctx).WithField("grpc.method", "Echo").Info("from logrus")

	slogger := slog.New(setup.SlogHandler(slog.NewJSONHandler(&bytes.Buffer{}, nil), "test-slog", slog.LevelInfo))
	slogger.InfoContext(ctx, "from slog", "grpc.method", "Chat")
	slogger.DebugContext(ctx, "below the level")

	if err := setup.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	out := console.String()
	for _, want := range []string{
		`"Value": "from logrus"`, `"Value": "from slog"`,
		`"Name": "test-logrus"`, `"Name": "test-slog"`,
		`"Key": "grpc.method"`, `"Value": "Echo"`, `"Value": "Chat"`,
		`"TraceID": "4bf92f3577b34da6a3ce929d0e0e4736"`, `"SpanID": "00f067aa0ba902b7"`,
		`"Value": "test-service"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console records lack %s:\n%s", want, out)
		}
	}
	if n := strings.Count(out, `"TraceID": "4bf92f3577b34da6a3ce929d0e0e4736"`); n != 2 {
		t.Errorf("%d records carry the trace id, want 2 (one per bridge)", n)
	}
	if strings.Contains(out, "below the level") {
		t.Errorf("a debug record went through the slog bridge at level info:\n%s", out)
	}
}

// The slog bridge has no level of its own: it takes debug records, and lower, which is why
// SlogHandler puts a level in front of it (docs/logging.md, Logs over OTLP).
func TestSlogBridgeHasNoLevelOfItsOwn(t *testing.T) {
	exp, err := stdoutlog.New(stdoutlog.WithWriter(&bytes.Buffer{}))
	if err != nil {
		t.Fatal(err)
	}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	defer func() { _ = lp.Shutdown(context.Background()) }()
	bridge := otelslog.NewHandler("test", otelslog.WithLoggerProvider(lp))
	if !bridge.Enabled(context.Background(), slog.LevelDebug-4) {
		t.Errorf("the slog bridge drops records below debug: SlogHandler's level in front of it may be needless")
	}
}

func TestUnknownLogsExporterIsAnError(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	t.Setenv("OTEL_LOGS_EXPORTER", "carrier-pigeon")
	if _, err := telemetry.New(context.Background(), "test-service", &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "OTEL_LOGS_EXPORTER") || !strings.Contains(err.Error(), "carrier-pigeon") {
		t.Errorf("New with an unknown logs exporter: %v, want an error naming the variable and the value", err)
	}
}

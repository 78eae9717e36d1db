package telemetry

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/contrib/bridges/otellogrus"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutlog"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
)

// logsExportersEnv names the logs exporters, as the OpenTelemetry SDK environment
// specification says.
const logsExportersEnv = "OTEL_LOGS_EXPORTER"

// newLogs builds the logger provider from OTEL_LOGS_EXPORTER, or returns nil for "none".
// Unset means "none": the examples' logs are their JSON lines, and OpenTelemetry log records
// are exported only when asked for. "console" prints them readably on console (stderr in the
// examples); every other name is left to autoexport ("otlp" with the OTEL_EXPORTER_OTLP_*
// variables). Records are batched (OTEL_BLRP_* tune the batches) and flushed at shutdown.
func newLogs(ctx context.Context, res *resource.Resource, console io.Writer) (*sdklog.LoggerProvider, string, error) {
	name := strings.TrimSpace(os.Getenv(logsExportersEnv))
	if name == "" {
		name = "none"
	}
	exp, err := newLogExporter(ctx, name, console)
	if err != nil {
		return nil, name, fmt.Errorf("%s=%q: %w", logsExportersEnv, name, err)
	}
	if exp == nil {
		return nil, name, nil
	}
	return sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(sdklog.NewBatchProcessor(exp))), name, nil
}

// newLogExporter builds the named exporter; nil means "none". Console is built here so that
// it writes to the given writer (autoexport's writes to stdout, which carries the JSON lines).
func newLogExporter(ctx context.Context, name string, console io.Writer) (sdklog.Exporter, error) {
	switch name {
	case "none":
		return nil, nil
	case "console":
		return stdoutlog.New(stdoutlog.WithWriter(console), stdoutlog.WithPrettyPrint())
	}
	return autoexport.NewLogExporter(ctx)
}

// AddLogrusHook makes logger send every line it writes also through OpenTelemetry's logrus
// bridge (otellogrus), as records of the instrumentation scope named scope, when
// OTEL_LOGS_EXPORTER asks for an exporter; otherwise it does nothing. The bridge takes the
// trace and span ids from the entry's Context, which grpcobs' logging signal sets to the call's.
func (s *Setup) AddLogrusHook(logger *logrus.Logger, scope string) {
	if s.logs == nil {
		return
	}
	logger.AddHook(otellogrus.NewHook(scope, otellogrus.WithLoggerProvider(s.logs)))
}

// SlogHandler returns h, or, when OTEL_LOGS_EXPORTER asks for an exporter, a handler writing
// each record to h and also through OpenTelemetry's slog bridge (otelslog), as records of the
// instrumentation scope named scope, at level and above. The bridge takes the trace and span
// ids from the context a record is handled with (slog's InfoContext and the like; grpcobs'
// logging signal hands each record the call's).
func (s *Setup) SlogHandler(h slog.Handler, scope string, level slog.Leveler) slog.Handler {
	if s.logs == nil {
		return h
	}
	bridge := otelslog.NewHandler(scope, otelslog.WithLoggerProvider(s.logs))
	return slog.NewMultiHandler(h, leveled{Handler: bridge, level: level})
}

// leveled drops the records below level: the slog bridge has no level of its own.
type leveled struct {
	slog.Handler
	level slog.Leveler
}

func (l leveled) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= l.level.Level() && l.Handler.Enabled(ctx, level)
}

func (l leveled) WithAttrs(attrs []slog.Attr) slog.Handler {
	return leveled{Handler: l.Handler.WithAttrs(attrs), level: l.level}
}

func (l leveled) WithGroup(name string) slog.Handler {
	return leveled{Handler: l.Handler.WithGroup(name), level: l.level}
}

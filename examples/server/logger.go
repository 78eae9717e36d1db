package main

import (
	"context"
	"io"
	"log/slog"
	"slices"

	"github.com/grpcobs/grpcobs/examples/internal/telemetry"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/sirupsen/logrus"
)

// scope names the server's log records in OpenTelemetry (their instrumentation scope).
const scope = "github.com/grpcobs/grpcobs/examples/server"

// loggers are the server's. With -log-backend=logrus, logger writes every line. With slog,
// slogger writes the calls' lines and the handlers', and logger, which the health registry
// and the server's own lines take, hands its lines to slogger's handler: stdout has one format.
// Either way, with OTEL_LOGS_EXPORTER every line also goes through the backend's
// OpenTelemetry bridge.
type loggers struct {
	logger  *logrus.Logger
	slogger *slog.Logger // nil with -log-backend=logrus
}

// newLoggers logs to out (stdout) in the configured backend, format and level.
func newLoggers(cfg config, out io.Writer, tel *telemetry.Setup) loggers {
	logger := logrus.New()
	logger.SetLevel(cfg.logLevel)
	if cfg.logBackend == "slog" {
		opts := &slog.HandlerOptions{Level: logging.SlogLevel(cfg.logLevel)}
		var h slog.Handler = slog.NewJSONHandler(out, opts)
		if cfg.logFormat == "text" {
			h = slog.NewTextHandler(out, opts)
		}
		h = tel.SlogHandler(h, scope, opts.Level)
		logger.SetOutput(io.Discard)
		logger.SetFormatter(toSlog{h})
		return loggers{logger: logger, slogger: slog.New(h)}
	}
	logger.SetOutput(out)
	if cfg.logFormat == "text" {
		logger.SetFormatter(&logrus.TextFormatter{DisableColors: true, FullTimestamp: true})
	} else {
		logger.SetFormatter(&jsonformat.Formatter{})
	}
	tel.AddLogrusHook(logger, scope)
	return loggers{logger: logger}
}

// toSlog writes a logrus logger's lines as slog records, to h: a logrus "formatter" that
// writes nothing itself (the logger's output is io.Discard).
type toSlog struct{ h slog.Handler }

func (f toSlog) Format(e *logrus.Entry) ([]byte, error) {
	ctx := e.Context
	if ctx == nil {
		ctx = context.Background()
	}
	level := logging.SlogLevel(e.Level)
	if !f.h.Enabled(ctx, level) {
		return nil, nil
	}
	r := slog.NewRecord(e.Time, level, e.Message, 0)
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		r.AddAttrs(slog.Any(k, e.Data[k]))
	}
	return nil, f.h.Handle(ctx, r)
}

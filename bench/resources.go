package bench

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// The resources a configuration's signals share. Each is made on first use, once per Stack,
// so that every configuration starts from fresh state.

// tracerProvider returns an SDK tracer provider sampling with sampler and sending every span
// through a batch processor to an exporter that only counts it.
func (b *builder) tracerProvider(sampler sdktrace.Sampler) *sdktrace.TracerProvider {
	if b.stack.exported == nil {
		b.stack.exported = new(atomic.Int64)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sampler),
		sdktrace.WithBatcher(countingExporter{count: b.stack.exported}),
	)
	b.stack.flush = append(b.stack.flush, tp.ForceFlush)
	b.stack.shutdown = append(b.stack.shutdown, tp.Shutdown)
	return tp
}

// registry returns the configuration's Prometheus registry, where both sides' collectors go.
func (b *builder) registry() *prometheus.Registry {
	if b.stack.Registry == nil {
		b.stack.Registry = prometheus.NewRegistry()
	}
	return b.stack.Registry
}

// logger returns the configuration's logger: info level, the given formatter, io.Discard.
// The first signal that asks picks the formatter.
func (b *builder) logger(formatter logrus.Formatter) *logrus.Logger {
	if b.stack.Logger == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		l.SetFormatter(formatter)
		b.stack.Logger = l
	}
	return b.stack.Logger
}

// slogger returns the configuration's slog logger: slog's JSONHandler at info level, writing
// to the stack's log output (io.Discard until SetLogOutput).
func (b *builder) slogger() *slog.Logger {
	if b.stack.slogger == nil {
		b.stack.slogOut = &switchWriter{}
		b.stack.slogOut.w.Store(&writerBox{io.Discard})
		b.stack.slogger = slog.New(slog.NewJSONHandler(b.stack.slogOut, nil))
	}
	return b.stack.slogger
}

// switchWriter is a writer whose output can be changed after a slog handler was built on it.
type switchWriter struct{ w atomic.Pointer[writerBox] }

type writerBox struct{ io.Writer }

func (s *switchWriter) Write(p []byte) (int, error) { return s.w.Load().Write(p) }

// countingExporter drops every span, counting them so tests can see tracing ran.
type countingExporter struct{ count *atomic.Int64 }

func (e countingExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.count.Add(int64(len(spans)))
	return nil
}

func (countingExporter) Shutdown(context.Context) error { return nil }

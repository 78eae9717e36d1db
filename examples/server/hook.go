package main

import (
	"context"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/logging"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// handlerHook shows nesting and correlation: each request message gets a child span (a
// simulated database query) and a log line through the request-scoped logger of the backend
// (slog's with the context, so that OpenTelemetry's bridge sees the child span; logrus'
// entry carries it already).
func handlerHook(tp trace.TracerProvider, slogBackend bool) func(ctx context.Context, method, message string) (context.Context, func(error)) {
	tracer := tp.Tracer("github.com/grpcobs/grpcobs/examples/server")
	return func(ctx context.Context, method, message string) (context.Context, func(error)) {
		ctx, span := tracer.Start(ctx, "db.query",
			trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("db.system.name", "demo"), attribute.String("db.operation.name", "SELECT")))
		start := time.Now()
		if slogBackend {
			logging.SlogFromContext(ctx).InfoContext(ctx, "handling request", "message.length", len(message))
		} else {
			logging.FromContext(ctx).WithField("message.length", len(message)).Info("handling request")
		}
		return ctx, func(err error) {
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, err.Error())
			}
			span.SetAttributes(attribute.Int64("db.duration_us", time.Since(start).Microseconds()))
			span.End()
		}
	}
}

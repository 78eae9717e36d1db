package bench

import (
	"context"
	"log/slog"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	mwlogging "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// The anchor signals: the stack most Go gRPC services run today, configured as its own
// documentation and examples show.

// anchorTracing traces both sides with otelgrpc's stats handlers and an always-sampling SDK
// provider. otelgrpc's own metrics go to otel's global meter provider, a no-op unless a
// program sets one: only its tracing is measured.
func anchorTracing() signal {
	return func(b *builder) {
		tp := b.tracerProvider(sampleAlways)
		// otelgrpc uses otel's global propagator, a no-op until set; grpcobs' default is W3C.
		w3c := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
		b.stack.ServerOptions = append(b.stack.ServerOptions,
			grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithTracerProvider(tp), otelgrpc.WithPropagators(w3c))))
		b.stack.DialOptions = append(b.stack.DialOptions,
			grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(tp), otelgrpc.WithPropagators(w3c))))
	}
}

// anchorMetrics counts and times both sides with go-grpc-middleware's providers/prometheus,
// handling-time histograms on.
func anchorMetrics() signal {
	return func(b *builder) {
		server := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram())
		client := grpcprom.NewClientMetrics(grpcprom.WithClientHandlingTimeHistogram())
		b.registry().MustRegister(server, client)
		b.stack.ServerOptions = append(b.stack.ServerOptions,
			grpc.ChainUnaryInterceptor(server.UnaryServerInterceptor()),
			grpc.ChainStreamInterceptor(server.StreamServerInterceptor()))
		b.stack.DialOptions = append(b.stack.DialOptions,
			grpc.WithChainUnaryInterceptor(client.UnaryClientInterceptor()),
			grpc.WithChainStreamInterceptor(client.StreamClientInterceptor()))
	}
}

// anchorLogging logs both sides' finished calls with go-grpc-middleware's logging interceptor
// through the logrus adapter of that project's examples, with logrus.JSONFormatter, adding
// the trace and span ids from the context, as grpcobs logs them. Both sides log a successful
// call at info, as grpcobs does: go-grpc-middleware's client default is debug, which an info
// logger drops before formatting, so the anchor's client would log nothing.
func anchorLogging() signal {
	return func(b *builder) { b.mwLogging(logrusAdapter(b.logger(&logrus.JSONFormatter{}))) }
}

// anchorSlogLogging is anchorLogging through log/slog: go-grpc-middleware's logging
// interceptor with the slog adapter of that project's examples (its levels are slog's), to
// slog's JSONHandler, with the same options.
func anchorSlogLogging() signal {
	return func(b *builder) { b.mwLogging(slogAdapter(b.slogger())) }
}

// mwLogging adds go-grpc-middleware's logging interceptor on both sides, logging to logger
// as the logging anchors do.
func (b *builder) mwLogging(logger mwlogging.Logger) {
	opts := []mwlogging.Option{
		mwlogging.WithLogOnEvents(mwlogging.FinishCall),
		mwlogging.WithFieldsFromContext(traceFields),
		mwlogging.WithLevels(mwlogging.DefaultServerCodeToLevel),
	}
	b.stack.ServerOptions = append(b.stack.ServerOptions,
		grpc.ChainUnaryInterceptor(mwlogging.UnaryServerInterceptor(logger, opts...)),
		grpc.ChainStreamInterceptor(mwlogging.StreamServerInterceptor(logger, opts...)))
	b.stack.DialOptions = append(b.stack.DialOptions,
		grpc.WithChainUnaryInterceptor(mwlogging.UnaryClientInterceptor(logger, opts...)),
		grpc.WithChainStreamInterceptor(mwlogging.StreamClientInterceptor(logger, opts...)))
}

// slogAdapter is the slog adapter of go-grpc-middleware's logging examples: its levels are
// slog's, its fields slog's key-value pairs.
func slogAdapter(l *slog.Logger) mwlogging.Logger {
	return mwlogging.LoggerFunc(func(ctx context.Context, lvl mwlogging.Level, msg string, fields ...any) {
		l.Log(ctx, slog.Level(lvl), msg, fields...)
	})
}

// traceFields are the trace and span ids of the span in ctx, when there is a valid one.
func traceFields(ctx context.Context) mwlogging.Fields {
	if span := trace.SpanContextFromContext(ctx); span.IsValid() {
		return mwlogging.Fields{"trace_id", span.TraceID().String(), "span_id", span.SpanID().String()}
	}
	return nil
}

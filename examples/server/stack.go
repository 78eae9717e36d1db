package main

import (
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpcobs/grpcobs/examples/internal/telemetry"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"github.com/grpcobs/grpcobs/interceptors/statuspage"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
)

// baggageKeys are the baggage members copied into span attributes and log fields.
var baggageKeys = []string{"user", "tenant", "request.id"}

// newGRPCServer builds the server with the whole grpcobs stack, recovery inside it, and the
// demo service registered; its Prometheus metrics go to metricsRegistry, its OpenTelemetry
// metrics to tel.Meters. With observability off it is
// a bare server, for load-test comparisons.
func newGRPCServer(cfg config, logs loggers, tel *telemetry.Setup, metricsRegistry *prometheus.Registry, statusPage *statuspage.Page) (*grpc.Server, error) {
	recoveryOpt := recovery.WithRecoveryHandlerContext(interceptors.RecoverPanic)
	inner := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(recovery.UnaryServerInterceptor(recoveryOpt)),
		grpc.ChainStreamInterceptor(recovery.StreamServerInterceptor(recoveryOpt)),
	}
	if !cfg.observability {
		srv := grpc.NewServer(inner...)
		demov1.RegisterDemoServiceServer(srv, newDemoService(tel, logs.slogger != nil))
		return srv, nil
	}

	serverMetrics := metrics.NewServerMetrics()
	if err := metricsRegistry.Register(serverMetrics); err != nil {
		return nil, err
	}
	stack := interceptors.ServerOptions(
		tracing.NewServer(
			tracing.WithTracerProvider(tel.Provider),
			tracing.WithFilter(filter.Not(filter.HealthChecks())),
			tracing.WithBaggageAttributes(baggageKeys...),
		),
		serverMetrics,
		statusPage, // the page at /debug/grpcobs; it runs after tracing, so it keeps trace ids
		// OpenTelemetry metrics, exported when OTEL_METRICS_EXPORTER asks for it.
		otelmetrics.NewServer(otelmetrics.WithMeterProvider(tel.Meters)),
		newLogging(logs,
			logging.WithFilter(filter.HealthChecksOnlyOnFailure()),
			logging.WithBaggageFields(baggageKeys...),
		),
	)
	srv := grpc.NewServer(append(stack, inner...)...)
	demov1.RegisterDemoServiceServer(srv, newDemoService(tel, logs.slogger != nil))
	// The demo service's series exist before its first call, so rates start at zero.
	serverMetrics.InitializeMetrics(srv)
	return srv, nil
}

// newLogging is the logging signal on the -log-backend chosen: the same options, lines and
// fields on either.
func newLogging(logs loggers, opts ...logging.Option) *logging.Server {
	if logs.slogger != nil {
		return logging.NewSlogServer(logs.slogger, opts...)
	}
	return logging.NewServer(logs.logger, opts...)
}

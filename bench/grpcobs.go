package bench

import (
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// The grpcobs signals, configured as the package docs advise.

// grpcobsTracing traces both sides with an SDK provider sampling with sampler.
func grpcobsTracing(sampler sdktrace.Sampler, clientOpts ...tracing.Option) signal {
	return func(b *builder) {
		tp := b.tracerProvider(sampler)
		b.serverReportables = append(b.serverReportables, tracing.NewServer(tracing.WithTracerProvider(tp)))
		b.clientReportables = append(b.clientReportables, tracing.NewClient(append([]tracing.Option{tracing.WithTracerProvider(tp)}, clientOpts...)...))
	}
}

// grpcobsMetrics counts and times both sides, with the handling-time histograms (on by
// default), each side's collector registered on the configuration's registry.
func grpcobsMetrics(clientOpts ...metrics.Option) signal {
	return func(b *builder) {
		server, client := metrics.NewServerMetrics(), metrics.NewClientMetrics(clientOpts...)
		b.registry().MustRegister(server, client)
		b.serverReportables = append(b.serverReportables, server)
		b.clientReportables = append(b.clientReportables, client)
	}
}

// logEverySuccess makes grpcobsLogging log every call.
const logEverySuccess = 1

// grpcobsLogging logs both sides' finished calls as JSON, with grpcobs' formatter: one
// success in successEvery (each side counting its own) and every failure.
func grpcobsLogging(successEvery int) signal {
	return func(b *builder) {
		logger := b.logger(&jsonformat.Formatter{})
		sampled := func() logging.Option {
			if successEvery <= logEverySuccess {
				return nil
			}
			return logging.WithFilter(filter.SampleSuccesses(successEvery))
		}
		b.serverReportables = append(b.serverReportables, logging.NewServer(logger, sampled()))
		b.clientReportables = append(b.clientReportables, logging.NewClient(logger, sampled()))
	}
}

// grpcobsSlogLogging logs both sides' finished calls as JSON through log/slog: the same
// signal, with NewSlogServer and NewSlogClient, to slog's JSONHandler.
func grpcobsSlogLogging() signal {
	return func(b *builder) {
		logger := b.slogger()
		b.serverReportables = append(b.serverReportables, logging.NewSlogServer(logger))
		b.clientReportables = append(b.clientReportables, logging.NewSlogClient(logger))
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/grpcobs/grpcobs/examples/internal/telemetry"
	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/health/checks"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/statuspage"
	"github.com/grpcobs/grpcobs/internal/demo"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// serve runs the server until ctx ends, then drains and stops it.
func serve(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	out := logging.NewAsyncWriter(stdout, 4096, logging.DefaultAsyncWriterBytes)
	defer out.Close(time.Second)

	tel, err := telemetry.New(ctx, "grpcobs-demo-server", stderr)
	if err != nil {
		return err
	}
	logs := newLoggers(cfg, out, tel)
	logger := logs.logger
	// Deferred early, so it runs late: after the health registry's Stop, so that its last
	// lines, and "stopped", reach the logs exporter too.
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tel.Shutdown(flushCtx); err != nil {
			logger.WithError(err).Warn("flushing spans, metrics and log records failed")
		}
	}()

	metricsRegistry := prometheus.NewRegistry()
	healthRegistry, err := newHealthRegistry(cfg, logger, tel)
	if err != nil {
		return err
	}
	metricsRegistry.MustRegister(healthRegistry.Collector())

	statusPage, err := statuspage.New(statuspage.WithHealth(healthRegistry))
	if err != nil {
		return err
	}
	defer statusPage.Close()

	grpcServer, err := newGRPCServer(cfg, logs, tel, metricsRegistry, statusPage)
	if err != nil {
		return err
	}
	healthServer := health.NewServer(healthRegistry)
	healthpb.RegisterHealthServer(grpcServer, healthServer)
	reflection.Register(grpcServer)
	// Every service of the server is a health service, following Overall.
	if _, err := healthRegistry.AddServer(grpcServer); err != nil {
		return err
	}

	grpcLis, err := net.Listen("tcp", cfg.grpcAddr)
	if err != nil {
		return fmt.Errorf("listening for gRPC: %w", err)
	}
	httpLis, err := listenHTTP(cfg.httpAddr, newHTTPHandler(metricsRegistry, healthRegistry))
	if err != nil {
		_ = grpcLis.Close()
		return fmt.Errorf("listening for HTTP: %w", err)
	}
	var adminLis *httpListener // nil: no admin listener
	if cfg.adminAddr != "" {
		if adminLis, err = listenHTTP(cfg.adminAddr, newAdminHandler(healthRegistry, statusPage)); err != nil {
			_ = grpcLis.Close()
			httpLis.close()
			return fmt.Errorf("listening for admin HTTP: %w", err)
		}
	}

	healthRegistry.Start(context.WithoutCancel(ctx))
	defer healthRegistry.Stop()

	served := make(chan error, 3)
	go func() { served <- grpcServer.Serve(grpcLis) }()
	httpLis.serve(served)
	adminLis.serve(served)
	fields := logrus.Fields{
		"grpc.addr":       grpcLis.Addr().String(),
		"http.addr":       httpLis.addr(),
		"traces.exporter": tel.Exporter,
		"logs.exporter":   tel.LogsExporter,
		"log.backend":     cfg.logBackend,
		"observability":   cfg.observability,
	}
	if adminLis != nil {
		fields["admin.addr"] = adminLis.addr()
		fields["statuspage.url"] = "http://" + adminLis.addr() + "/debug/grpcobs"
	}
	logger.WithFields(fields).Info("serving")

	select {
	case <-ctx.Done():
	case err := <-served:
		grpcServer.Stop()
		httpLis.close()
		adminLis.close()
		return fmt.Errorf("serving stopped: %w", err)
	}

	// Stop taking traffic: every health service turns NOT_SERVING now, and stays so.
	healthServer.Shutdown()
	logger.WithField("drain", cfg.drain.String()).Info("draining: every health service is NOT_SERVING")
	time.Sleep(cfg.drain)
	stopGracefully(grpcServer, 10*time.Second)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, l := range []*httpListener{httpLis, adminLis} {
		if err := l.shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.WithError(err).Warn("HTTP shutdown")
		}
	}
	logger.Info("stopped")
	return nil
}

// stopGracefully lets running calls finish, but not for longer than limit: Watch streams
// never finish by themselves.
func stopGracefully(s *grpc.Server, limit time.Duration) {
	done := make(chan struct{})
	go func() {
		s.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(limit):
		s.Stop()
		<-done
	}
}

// newHealthRegistry registers the dependency checker, when there is one. The gRPC services
// come with AddServer once they are registered.
func newHealthRegistry(cfg config, logger *logrus.Logger, tel *telemetry.Setup) (*health.Registry, error) {
	registry := health.NewRegistry(health.WithLogger(logger), health.WithTracerProvider(tel.Provider))
	if cfg.dependencyAddr == "" {
		return registry, nil
	}
	err := registry.Register("dependency", checks.TCP(cfg.dependencyAddr),
		health.Gates(health.Overall, health.Readiness),
		health.Every(cfg.checkInterval),
		health.Timeout(min(cfg.checkInterval, time.Second)),
		health.FailureThreshold(2),
	)
	return registry, err
}

// newDemoService gives the demo handlers a child span and a request-scoped log line.
func newDemoService(tel *telemetry.Setup, slogBackend bool) *demo.Service {
	return demo.NewService(demo.WithHook(handlerHook(tel.Provider, slogBackend)))
}

var _ demov1.DemoServiceServer = (*demo.Service)(nil)

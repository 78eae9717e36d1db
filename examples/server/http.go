package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/grpcobs/grpcobs/health"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// newHTTPHandler serves /metrics (OpenMetrics when the scraper asks, so exemplars show),
// /healthz (liveness) and /readyz (readiness), the latter two with the status alone: this
// listener is for scrapers and probes, which more than operators may reach.
func newHTTPHandler(metricsRegistry *prometheus.Registry, healthRegistry *health.Registry) http.Handler {
	metricsRegistry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(metricsRegistry, promhttp.HandlerOpts{
		EnableOpenMetrics: true,
		Registry:          metricsRegistry,
	}))
	mux.Handle("GET /healthz", health.NewHandler(healthRegistry, health.Liveness))
	mux.Handle("GET /readyz", health.NewHandler(healthRegistry, health.Readiness))
	return mux
}

// newAdminHandler serves what only operators should reach (docs/statuspage.md): the
// status page at /debug/grpcobs, and /healthz and /readyz with the checks' details, whose
// error texts name hosts and ports.
func newAdminHandler(healthRegistry *health.Registry, statusPage http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /debug/grpcobs", statusPage)
	mux.Handle("GET /healthz", health.NewHandler(healthRegistry, health.Liveness, health.WithDetails()))
	mux.Handle("GET /readyz", health.NewHandler(healthRegistry, health.Readiness, health.WithDetails()))
	return mux
}

// httpListener is an HTTP server and the listener it serves.
type httpListener struct {
	lis    net.Listener
	server *http.Server
}

// listenHTTP listens on addr for handler; what is there to serve is up to serve.
func listenHTTP(addr string, handler http.Handler) (*httpListener, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &httpListener{lis: lis, server: &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}}, nil
}

// addr is where the listener listens, "" for none.
func (l *httpListener) addr() string {
	if l == nil {
		return ""
	}
	return l.lis.Addr().String()
}

// serve serves until the server is shut down or closed, then sends why on served. A nil
// listener serves nothing and sends nothing.
func (l *httpListener) serve(served chan<- error) {
	if l != nil {
		go func() { served <- l.server.Serve(l.lis) }()
	}
}

// close closes the listener or the server, whichever serves.
func (l *httpListener) close() {
	if l != nil {
		_ = l.server.Close()
		_ = l.lis.Close()
	}
}

// shutdown lets running requests finish until ctx ends.
func (l *httpListener) shutdown(ctx context.Context) error {
	if l == nil {
		return nil
	}
	return l.server.Shutdown(ctx)
}

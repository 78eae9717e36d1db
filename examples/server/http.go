package main

import (
	"net/http"

	"github.com/grpcobs/grpcobs/health"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// newHTTPHandler serves /metrics (OpenMetrics when the scraper asks, so exemplars show),
// /healthz (liveness), /readyz (readiness) and the status page at /debug/grpcobs.
func newHTTPHandler(metricsRegistry *prometheus.Registry, healthRegistry *health.Registry, statusPage http.Handler) http.Handler {
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
	// The status page: on the demo's loopback HTTP listener. In production, mount it only on
	// an admin listener that operators reach (docs/statuspage.md).
	mux.Handle("GET /debug/grpcobs", statusPage)
	return mux
}

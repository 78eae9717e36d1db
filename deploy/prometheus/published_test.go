package prometheus_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
)

// publishedMetrics serves the registry's metrics as of the last publish, not as of the
// scrape: the test decides which state of the load a scrape can see, so that every series
// Prometheus stores starts at a known value and the recorded rates are exact ratios of the
// call counts (see TestRealPrometheusRecordsTheScriptedLoad).
type publishedMetrics struct {
	from promclient.Gatherer

	mu       sync.Mutex
	families []*dto.MetricFamily
}

// publish makes the registry's current state the one scrapes see.
func (p *publishedMetrics) publish(t *testing.T) []*dto.MetricFamily {
	t.Helper()
	families, err := p.from.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	p.mu.Lock()
	p.families = families
	p.mu.Unlock()
	return families
}

// Gather implements prometheus.Gatherer with the published state.
func (p *publishedMetrics) Gather() ([]*dto.MetricFamily, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.families, nil
}

// serveMetrics serves /metrics from g on a loopback port until the test ends, and returns
// its address.
func serveMetrics(t *testing.T, g promclient.Gatherer) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("metrics server: %v", err)
		}
	})
	return l.Addr().String()
}

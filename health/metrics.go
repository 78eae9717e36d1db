package health

import (
	"github.com/prometheus/client_golang/prometheus"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// collector exports a registry's state as Prometheus metrics:
//
//	grpcobs_health_serving{service}                 gauge: 1 SERVING, 0 otherwise
//	grpcobs_health_check_passing{check}             gauge: 1 passing, 0 pending or failing
//	grpcobs_health_check_duration_seconds{check}    histogram of run durations
//	grpcobs_health_check_failures_total{check}      counter of failed runs
//	grpcobs_health_log_lines_dropped_total          counter of log lines a full queue dropped
//
// The gauges are read from the registry when scraped; the histogram and the counter are
// fed by every run. A run that could not start because the previous one is stuck counts
// as a failure but has no duration. Overall's service label is "", which Prometheus shows
// as no label at all: select it with {service=""}.
type collector struct {
	registry  *Registry
	serving   *prometheus.Desc
	passing   *prometheus.Desc
	durations *prometheus.HistogramVec
	failures  *prometheus.CounterVec

	logLinesDropped prometheus.Counter
}

var _ prometheus.Collector = (*collector)(nil)

func newCollector(r *Registry) *collector {
	return &collector{
		registry: r,
		serving: prometheus.NewDesc("grpcobs_health_serving",
			"Whether the health service is SERVING (1) or not (0).", []string{"service"}, nil),
		passing: prometheus.NewDesc("grpcobs_health_check_passing",
			"Whether the health check is passing (1) or pending or failing (0).", []string{"check"}, nil),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "grpcobs_health_check_duration_seconds",
			Help:    "How long the runs of the health check took, timeouts included.",
			Buckets: prometheus.DefBuckets,
		}, []string{"check"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grpcobs_health_check_failures_total",
			Help: "Failed runs of the health check: errors, timeouts, panics, and runs skipped because the previous one is stuck.",
		}, []string{"check"}),
		logLinesDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "grpcobs_health_log_lines_dropped_total",
			Help: "Health log lines dropped because the logger's writer fell too far behind.",
		}),
	}
}

// Collector returns the registry's Prometheus metrics, for the caller to register on its own
// prometheus.Registerer (nothing is registered by default): a gauge per health service
// (grpcobs_health_serving), and per check a gauge (grpcobs_health_check_passing), a duration
// histogram (grpcobs_health_check_duration_seconds) and a failure counter
// (grpcobs_health_check_failures_total), and a counter of the log lines dropped because the
// logger's writer fell too far behind (grpcobs_health_log_lines_dropped_total). Every
// check's series exist from Register on.
func (r *Registry) Collector() prometheus.Collector { return r.metrics }

// addCheck creates the series of a new check, so they show before its first run.
func (c *collector) addCheck(name string) {
	c.durations.WithLabelValues(name)
	c.failures.WithLabelValues(name)
}

// observe feeds a run's result to the histogram and the counter.
func (c *collector) observe(name string, res runResult) {
	if res.ran {
		c.durations.WithLabelValues(name).Observe(res.duration.Seconds())
	}
	if res.err != nil {
		c.failures.WithLabelValues(name).Inc()
	}
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.serving
	ch <- c.passing
	c.durations.Describe(ch)
	c.failures.Describe(ch)
	c.logLinesDropped.Describe(ch)
}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	report := c.registry.Report()
	for service, st := range report.Services {
		ch <- prometheus.MustNewConstMetric(c.serving, prometheus.GaugeValue, boolValue(st == healthpb.HealthCheckResponse_SERVING), service)
	}
	for _, ck := range report.Checks {
		ch <- prometheus.MustNewConstMetric(c.passing, prometheus.GaugeValue, boolValue(ck.Status == Passing), ck.Name)
	}
	c.durations.Collect(ch)
	c.failures.Collect(ch)
	c.logLinesDropped.Collect(ch)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

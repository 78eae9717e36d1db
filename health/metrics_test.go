package health_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/health"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/expfmt"
)

// exposition gathers c through a pedantic registry, which checks what c describes against
// what it collects, and returns the text exposition format. (prometheus/testutil would need
// a module that go.sum does not hold; this is as exact.)
func exposition(t *testing.T, c prometheus.Collector) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatalf("Register: %v", err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	var out strings.Builder
	for _, mf := range families {
		if _, err := expfmt.MetricFamilyToText(&out, mf); err != nil {
			t.Fatalf("MetricFamilyToText: %v", err)
		}
	}
	return out.String()
}

func TestMetricsExportStatusesDurationsAndFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		db := &dependency{}
		release := make(chan struct{})
		defer close(release)
		var runs dependency // counts the runs of hangs, whose second run and later hang
		hangs := health.CheckFunc(func(ctx context.Context) error {
			_ = runs.Check(ctx)
			if runs.runCount() > 1 {
				<-release
			}
			return nil
		})
		if err := r.Register("db", takes(250*time.Millisecond, db), health.FailureThreshold(1)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		if err := r.Register("hung", hangs, health.Gates("pkg.Hung"), health.Timeout(2*time.Second)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		if err := r.Register("idle", health.CheckFunc(passes), health.InitialDelay(time.Hour), health.NonCritical()); err != nil {
			t.Fatalf("Register: %v", err)
		}

		r.Start(t.Context())
		advance(time.Second) // db passes in 0.25s; hung passes at once
		db.set(errDown)
		advance(10 * time.Second) // db fails in 0.25s; hung hangs
		advance(10 * time.Second) // db fails again; hung is still stuck: a failure with no run

		const want = `# HELP grpcobs_health_check_duration_seconds How long the runs of the health check took, timeouts included.
# TYPE grpcobs_health_check_duration_seconds histogram
grpcobs_health_check_duration_seconds_bucket{check="db",le="0.005"} 0
grpcobs_health_check_duration_seconds_bucket{check="db",le="0.01"} 0
grpcobs_health_check_duration_seconds_bucket{check="db",le="0.025"} 0
grpcobs_health_check_duration_seconds_bucket{check="db",le="0.05"} 0
grpcobs_health_check_duration_seconds_bucket{check="db",le="0.1"} 0
grpcobs_health_check_duration_seconds_bucket{check="db",le="0.25"} 3
grpcobs_health_check_duration_seconds_bucket{check="db",le="0.5"} 3
grpcobs_health_check_duration_seconds_bucket{check="db",le="1"} 3
grpcobs_health_check_duration_seconds_bucket{check="db",le="2.5"} 3
grpcobs_health_check_duration_seconds_bucket{check="db",le="5"} 3
grpcobs_health_check_duration_seconds_bucket{check="db",le="10"} 3
grpcobs_health_check_duration_seconds_bucket{check="db",le="+Inf"} 3
grpcobs_health_check_duration_seconds_sum{check="db"} 0.75
grpcobs_health_check_duration_seconds_count{check="db"} 3
grpcobs_health_check_duration_seconds_bucket{check="hung",le="0.005"} 1
grpcobs_health_check_duration_seconds_bucket{check="hung",le="0.01"} 1
grpcobs_health_check_duration_seconds_bucket{check="hung",le="0.025"} 1
grpcobs_health_check_duration_seconds_bucket{check="hung",le="0.05"} 1
grpcobs_health_check_duration_seconds_bucket{check="hung",le="0.1"} 1
grpcobs_health_check_duration_seconds_bucket{check="hung",le="0.25"} 1
grpcobs_health_check_duration_seconds_bucket{check="hung",le="0.5"} 1
grpcobs_health_check_duration_seconds_bucket{check="hung",le="1"} 1
grpcobs_health_check_duration_seconds_bucket{check="hung",le="2.5"} 2
grpcobs_health_check_duration_seconds_bucket{check="hung",le="5"} 2
grpcobs_health_check_duration_seconds_bucket{check="hung",le="10"} 2
grpcobs_health_check_duration_seconds_bucket{check="hung",le="+Inf"} 2
grpcobs_health_check_duration_seconds_sum{check="hung"} 2
grpcobs_health_check_duration_seconds_count{check="hung"} 2
grpcobs_health_check_duration_seconds_bucket{check="idle",le="0.005"} 0
grpcobs_health_check_duration_seconds_bucket{check="idle",le="0.01"} 0
grpcobs_health_check_duration_seconds_bucket{check="idle",le="0.025"} 0
grpcobs_health_check_duration_seconds_bucket{check="idle",le="0.05"} 0
grpcobs_health_check_duration_seconds_bucket{check="idle",le="0.1"} 0
grpcobs_health_check_duration_seconds_bucket{check="idle",le="0.25"} 0
grpcobs_health_check_duration_seconds_bucket{check="idle",le="0.5"} 0
grpcobs_health_check_duration_seconds_bucket{check="idle",le="1"} 0
grpcobs_health_check_duration_seconds_bucket{check="idle",le="2.5"} 0
grpcobs_health_check_duration_seconds_bucket{check="idle",le="5"} 0
grpcobs_health_check_duration_seconds_bucket{check="idle",le="10"} 0
grpcobs_health_check_duration_seconds_bucket{check="idle",le="+Inf"} 0
grpcobs_health_check_duration_seconds_sum{check="idle"} 0
grpcobs_health_check_duration_seconds_count{check="idle"} 0
# HELP grpcobs_health_check_failures_total Failed runs of the health check: errors, timeouts, panics, and runs skipped because the previous one is stuck.
# TYPE grpcobs_health_check_failures_total counter
grpcobs_health_check_failures_total{check="db"} 2
grpcobs_health_check_failures_total{check="hung"} 2
grpcobs_health_check_failures_total{check="idle"} 0
# HELP grpcobs_health_check_passing Whether the health check is passing (1) or pending or failing (0).
# TYPE grpcobs_health_check_passing gauge
grpcobs_health_check_passing{check="db"} 0
grpcobs_health_check_passing{check="hung"} 1
grpcobs_health_check_passing{check="idle"} 0
# HELP grpcobs_health_log_lines_dropped_total Health log lines dropped because the logger's writer fell too far behind.
# TYPE grpcobs_health_log_lines_dropped_total counter
grpcobs_health_log_lines_dropped_total 0
# HELP grpcobs_health_serving Whether the health service is SERVING (1) or not (0).
# TYPE grpcobs_health_serving gauge
grpcobs_health_serving{service=""} 0
grpcobs_health_serving{service="liveness"} 1
grpcobs_health_serving{service="pkg.Hung"} 1
grpcobs_health_serving{service="readiness"} 0
`
		if diff := cmp.Diff(want, exposition(t, r.Collector())); diff != "" {
			t.Errorf("metrics (-want +got):\n%s", diff)
		}
	})
}

func TestMetricsLintCleanAndRegisterNowhereByThemselves(t *testing.T) {
	before, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	r, _ := newRegistry(t)
	if err := r.Register("db", health.CheckFunc(passes)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	after, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	if len(after) != len(before) {
		t.Errorf("the default registry went from %d to %d metric families", len(before), len(after))
	}

	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(r.Collector()); err != nil {
		t.Fatalf("Register the collector: %v", err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	problems, err := promlint.NewWithMetricFamilies(families).Lint()
	if err != nil {
		t.Fatalf("Lint: %v", err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

package prometheus_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	promclient "github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	grpchealth "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

const demoService = "grpcobs.demo.v1.DemoService"

// prometheusConfig scrapes target every second, classic and native histograms both, and
// evaluates the rules every second.
func prometheusConfig(t *testing.T, target string) string {
	t.Helper()
	rules, err := filepath.Glob("*.rules.yml")
	if err != nil || len(rules) == 0 {
		t.Fatalf("no rule files (err %v)", err)
	}
	var files strings.Builder
	for _, r := range rules {
		abs, err := filepath.Abs(r)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&files, "  - %q\n", abs)
	}
	return fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
%sscrape_configs:
  - job_name: grpcobs
    scrape_native_histograms: true
    always_scrape_classic_histograms: true
    static_configs:
      - targets: [%q]
`, files.String(), target)
}

// TestRealPrometheusRecordsTheScriptedLoad runs the real Prometheus, with this package's rules,
// against a grpcobs server (and its client) under a scripted load, and checks the recorded
// series against the load's exact call counts.
//
// Why the values are exact: rate() extrapolates each series by a factor that depends on its
// sample times and, when the series starts inside the window, on its first value over its
// increase. All series come from one target, so they share their sample times. Every server
// series starts at zero (InitializeMetrics, scraped before the first call). Every client series
// first appears after the load's first run and then grows by exactly twice as much (the load
// runs twice more), so its first value over its increase is 1/2 for all of them. Within each
// side all series thus get the same factor, and every ratio of rates (error ratios, rate per
// method over rate of Echo, bucket over count) is the ratio of the counts. The test publishes
// the metrics to the scrape only between the runs, so a scrape never sees part of one.
func TestRealPrometheusRecordsTheScriptedLoad(t *testing.T) {
	bin := prometheusBinary(t)

	reg := promclient.NewRegistry()
	srvMetrics := metrics.NewServerMetrics(metrics.WithNativeHistograms(1.1))
	cliMetrics := metrics.NewClientMetrics(metrics.WithNativeHistograms(1.1))
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	healthRegistry := health.NewRegistry(health.WithLogger(quiet))
	if err := healthRegistry.Register("dependency", health.CheckFunc(func(context.Context) error {
		return errors.New("dependency down")
	}), health.Every(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	healthRegistry.Start(t.Context())
	t.Cleanup(healthRegistry.Stop)
	reg.MustRegister(srvMetrics, cliMetrics, healthRegistry.Collector())

	// The grpc.health.v1 service is registered and never called: InitializeMetrics gives its
	// methods zeros that the dashboard must not draw.
	h := testsrv.Start(t, testsrv.WithTCP(),
		testsrv.WithRegister(func(s *grpc.Server) {
			demov1.RegisterDemoServiceServer(s, demo.NewService())
			healthpb.RegisterHealthServer(s, grpchealth.NewServer())
		}),
		testsrv.WithServerOptions(interceptors.ServerOptions(srvMetrics)...),
		testsrv.WithDialOptions(interceptors.DialOptions(cliMetrics)...))
	srvMetrics.InitializeMetrics(h.Server)

	published := &publishedMetrics{from: reg}
	published.publish(t)
	prom := startPrometheus(t, bin, prometheusConfig(t, serveMetrics(t, published)))

	// Prometheus has stored the zeros before the first call.
	prom.waitFor(t, "the first scrape", `grpc_server_handled_total{grpc_method="Echo",grpc_code="OK"}`, time.Minute,
		func(s []sample) bool { return len(s) == 1 && s[0].Value == 0 })

	want := countByMethod(scriptedLoad, 3, interceptors.DefaultStatusPolicy().IsError)
	var calls float64
	for _, c := range want {
		calls += c.calls
	}
	runLoad(t, h, scriptedLoad)
	published.publish(t)
	prom.waitFor(t, "the first run scraped", `sum(grpc_client_handled_total)`, 30*time.Second,
		func(s []sample) bool { return len(s) == 1 && s[0].Value == calls/3 })
	runLoad(t, h, scriptedLoad)
	runLoad(t, h, scriptedLoad)
	final := published.publish(t)
	last := prom.waitFor(t, "the whole load scraped", `max(timestamp(grpc_server_handled_total)) and on () sum(grpc_server_handled_total) == `+fmt.Sprint(calls),
		30*time.Second, func(s []sample) bool { return len(s) == 1 })
	// Every rule evaluated after that scrape sees the whole load.
	var evaluatedAfter []string
	for _, group := range []string{ // one series of each rule group
		"job_service_method:grpc_server_requests:rate5m",
		"job_service_method:grpc_client_requests:rate5m",
		"job_service:grpc_server_error_ratio:rate5m",
	} {
		evaluatedAfter = append(evaluatedAfter, fmt.Sprintf(`min(timestamp(%s)) > %f`, group, last[0].Value))
	}
	prom.waitFor(t, "every rule group evaluated after the last scrape", strings.Join(evaluatedAfter, " and on () "),
		30*time.Second, func(s []sample) bool { return len(s) == 1 })

	t.Run("error ratios per method follow the status policy", func(t *testing.T) {
		for method, c := range want {
			checkRecorded(t, prom, fmt.Sprintf(`job_service_method:grpc_server_error_ratio:rate5m{grpc_method=%q}`, method), c.serverErrors/c.calls)
			checkRecorded(t, prom, fmt.Sprintf(`job_service_method:grpc_client_error_ratio:rate5m{grpc_method=%q}`, method), c.clientErrors/c.calls)
		}
	})
	t.Run("request rates per method are in the ratio of the calls", func(t *testing.T) {
		for _, side := range []string{"server", "client"} {
			for method, c := range want {
				checkRecorded(t, prom, fmt.Sprintf(`job_service_method:grpc_%[1]s_requests:rate5m{grpc_method=%[2]q} / ignoring (grpc_method) job_service_method:grpc_%[1]s_requests:rate5m{grpc_method="Echo"}`, side, method),
					c.calls/want["Echo"].calls)
			}
		}
	})
	t.Run("SLO error ratio of the service, in every window", func(t *testing.T) {
		var serverErrors float64
		for _, c := range want {
			serverErrors += c.serverErrors
		}
		for _, window := range []string{"5m", "30m", "1h", "2h", "6h", "1d", "3d"} {
			checkRecorded(t, prom, fmt.Sprintf(`job_service:grpc_server_error_ratio:rate%s{job="grpcobs",grpc_service=%q}`, window, demoService), serverErrors/calls)
		}
	})
	t.Run("classic quantiles and the slow ratio are those of the buckets", func(t *testing.T) {
		for method := range want {
			hist := serverHistogram(t, final, method)
			for _, q := range []float64{0.5, 0.95, 0.99} {
				checkRecorded(t, prom, fmt.Sprintf(`job_service_method:grpc_server_handling_seconds:quantile_rate5m{histogram="classic",quantile="%v",grpc_method=%q}`, q, method), classicQuantile(q, hist))
			}
		}
		echo := serverHistogram(t, final, "Echo") // the only unary method: the latency SLO's calls
		checkRecorded(t, prom, fmt.Sprintf(`job_service:grpc_server_slow_ratio:rate5m{grpc_service=%q}`, demoService), 1-float64(bucketCount(t, echo, 0.25))/float64(echo.GetSampleCount()))
	})
	t.Run("native quantiles fall in the native bucket of the rank", func(t *testing.T) {
		for method := range want {
			hist := serverHistogram(t, final, method)
			for _, q := range []float64{0.5, 0.95, 0.99} {
				lower, upper, ok := nativeBucketOfQuantile(q, hist)
				if !ok {
					t.Fatalf("%s: no native bucket holds the %v quantile", method, q)
				}
				got := recordedValue(t, prom, fmt.Sprintf(`job_service_method:grpc_server_handling_seconds:quantile_rate5m{histogram="native",quantile="%v",grpc_method=%q}`, q, method))
				if got < lower*(1-1e-9) || got > upper*(1+1e-9) {
					t.Errorf("%s native p%v = %v, want within its bucket (%v, %v]", method, q*100, got, lower, upper)
				}
			}
		}
	})
	t.Run("the dashboard's queries run and draw only what happened", func(t *testing.T) {
		echo := serverHistogram(t, final, "Echo")
		checkDashboard(t, prom, want, bucketCount(t, echo, 0.25) < echo.GetSampleCount())
	})
	t.Run("alerts: the error budget burns, the health service is not serving", func(t *testing.T) {
		firing := prom.waitFor(t, "the burn alerts", `ALERTS{alertname="GRPCServerErrorBudgetBurn",alertstate="firing"}`, 30*time.Second,
			func(s []sample) bool { return len(s) == 2 })
		for _, s := range firing {
			if s.Metric["grpc_service"] != demoService || (s.Metric["severity"] != "page" && s.Metric["severity"] != "ticket") {
				t.Errorf("firing %v, want the page and the ticket of %s", s.Metric, demoService)
			}
		}
		// The calls take milliseconds; should a stalled machine have made some slower than the
		// threshold, the latency alerts may rightly fire, so they are checked only otherwise.
		echo := serverHistogram(t, final, "Echo")
		if bucketCount(t, echo, 0.25) == echo.GetSampleCount() {
			if s, err := prom.query(t.Context(), `ALERTS{alertname="GRPCServerLatencyBudgetBurn"}`); err != nil || len(s) != 0 {
				t.Errorf("latency alerts %v (error %v), want none: every unary call was under the threshold", s, err)
			}
		}
		pending := prom.waitFor(t, "the health alert", `ALERTS{alertname="GRPCHealthServiceNotServing",alertstate="pending"}`, 30*time.Second,
			func(s []sample) bool { return len(s) == 2 })
		services := map[string]bool{}
		for _, s := range pending {
			services[s.Metric["service"]] = true
		}
		if !services["readiness"] || !services[""] {
			t.Errorf("pending health alerts for services %v, want readiness and the overall status (the dependency gates both; liveness stays SERVING)", services)
		}
	})
}

// checkRecorded compares the single value of q with want, to the last few bits of a float64.
func checkRecorded(t *testing.T, prom *promServer, q string, want float64) {
	t.Helper()
	got := recordedValue(t, prom, q)
	if math.IsNaN(want) && math.IsNaN(got) {
		return
	}
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %v, want %v", q, got, want)
	}
}

// recordedValue is the value of q, which must select exactly one series.
func recordedValue(t *testing.T, prom *promServer, q string) float64 {
	t.Helper()
	s, err := prom.query(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 1 {
		t.Fatalf("%s: %d series, want 1: %v", q, len(s), s)
	}
	return s[0].Value
}

// serverHistogram is grpc_server_handling_seconds of the method in the published families.
func serverHistogram(t *testing.T, families []*dto.MetricFamily, method string) *dto.Histogram {
	t.Helper()
	for _, f := range families {
		if f.GetName() != "grpc_server_handling_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "grpc_method" && l.GetValue() == method {
					return m.GetHistogram()
				}
			}
		}
	}
	t.Fatalf("no grpc_server_handling_seconds for %s", method)
	return nil
}

// bucketCount is the cumulative count of the classic bucket with upper bound le.
func bucketCount(t *testing.T, h *dto.Histogram, le float64) uint64 {
	t.Helper()
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == le {
			return b.GetCumulativeCount()
		}
	}
	t.Fatalf("no bucket le=%v", le)
	return 0
}

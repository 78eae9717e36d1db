package prometheus_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	promclient "github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/grpc/codes"
)

// ruleFiles are the rule files this package ships, read from the package directory.
func ruleFiles(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob("*.rules.yml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no *.rules.yml next to the test (err %v)", err)
	}
	files := make(map[string]string, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = string(b)
	}
	return files
}

// policyCodes are the names (as grpc_code label values) of the codes that policy counts as
// errors, in code order.
func policyCodes(isClient bool) []string {
	var names []string
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		if interceptors.DefaultStatusPolicy().IsError(isClient, c) {
			names = append(names, c.String())
		}
	}
	return names
}

var (
	handledSelector = regexp.MustCompile(`grpc_(server|client)_handled_total\{([^}]*)\}`)
	codeMatcher     = regexp.MustCompile(`grpc_code\s*(=~|!~|!=|=)\s*"([^"]*)"`)
)

// TestErrorMatchersAreTheStatusPolicy reads every grpc_code matcher on a handled counter in
// the rule files and checks it selects exactly the codes the default status policy calls errors:
// the server-error set on the server, every code but OK on the client.
func TestErrorMatchersAreTheStatusPolicy(t *testing.T) {
	wantServer := policyCodes(false)
	if len(wantServer) == 0 {
		t.Fatal("IsError(false, …) calls no code an error")
	}
	if got, want := policyCodes(true), slices.DeleteFunc(allCodeNames(), func(s string) bool { return s == "OK" }); !slices.Equal(got, want) {
		t.Fatalf("client policy = %v, want every code but OK, which the client rules select with grpc_code!=\"OK\"", got)
	}

	matchers := map[string]int{}
	for path, text := range ruleFiles(t) {
		for _, sel := range handledSelector.FindAllStringSubmatch(text, -1) {
			side, inside := sel[1], sel[2]
			for _, m := range codeMatcher.FindAllStringSubmatch(inside, -1) {
				op, value := m[1], m[2]
				matchers[side]++
				switch side {
				case "server":
					if op != "=~" {
						t.Errorf("%s: %s uses grpc_code%s%q; server errors are selected with =~ and the policy's set", path, sel[0], op, value)
						continue
					}
					if got := strings.Split(value, "|"); !slices.Equal(got, wantServer) {
						t.Errorf("%s: %s selects %v, want the server errors of interceptors.DefaultStatusPolicy %v", path, sel[0], got, wantServer)
					}
				case "client":
					if op != "!=" || value != "OK" {
						t.Errorf("%s: %s uses grpc_code%s%q, want grpc_code!=\"OK\" (every non-OK code is a client error)", path, sel[0], op, value)
					}
				}
			}
		}
	}
	// The per-method error rule and one error ratio per SLO window (7) on the server, the
	// per-method rule on the client: a rule file that lost them fails here, not in silence.
	if matchers["server"] < 8 || matchers["client"] < 1 {
		t.Errorf("found %d server and %d client grpc_code matchers, want at least 8 and 1", matchers["server"], matchers["client"])
	}
}

func allCodeNames() []string {
	var names []string
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		names = append(names, c.String())
	}
	return names
}

// TestCodeNamesAreTheExportedLabelValues checks that the names the rules use are the
// grpc_code values grpcobs really exports: InitializeMetrics creates one series per code.
func TestCodeNamesAreTheExportedLabelValues(t *testing.T) {
	exported := map[string]bool{}
	for _, f := range initializedServerMetrics(t) {
		if f.GetName() != "grpc_server_handled_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "grpc_code" {
					exported[l.GetValue()] = true
				}
			}
		}
	}
	for _, name := range allCodeNames() {
		if !exported[name] {
			t.Errorf("the rules call code %q by a name grpcobs does not export; exported: %v", name, exported)
		}
	}
}

var latencyThreshold = regexp.MustCompile(`record: grpcobs:slo_latency_threshold:seconds\s+expr: label_replace\(vector\(([^)]*)\), "le", "([^"]*)", "", ""\)`)

// TestLatencyThresholdIsAnExportedBucket checks the one place that sets the latency
// threshold: its value and its le label agree, and the label is a bucket bound of grpcobs'
// default classic histogram, spelled as Prometheus stores it.
func TestLatencyThresholdIsAnExportedBucket(t *testing.T) {
	var found [][]string
	for _, text := range ruleFiles(t) {
		found = append(found, latencyThreshold.FindAllStringSubmatch(text, -1)...)
	}
	if len(found) != 1 {
		t.Fatalf("found the latency threshold rule %d times, want once", len(found))
	}
	value, le := found[0][1], found[0][2]
	v, err := strconv.ParseFloat(value, 64)
	if err != nil {
		t.Fatalf("threshold value %q: %v", value, err)
	}
	l, err := strconv.ParseFloat(le, 64)
	if err != nil || l != v {
		t.Fatalf("threshold le label %q, want the value %v", le, v)
	}
	if want := prometheusLabelFloat(v); le != want {
		t.Errorf("threshold le label %q, want %q: Prometheus 3 stores le values in that form", le, want)
	}
	if bounds := defaultBucketBounds(t); !slices.Contains(bounds, v) {
		t.Errorf("threshold %v is not a default bucket bound %v: no classic bucket would match it", v, bounds)
	}
}

// prometheusLabelFloat formats v as Prometheus 3 normalises le label values: like Go's
// shortest 'g' form, with ".0" added to whole numbers.
func prometheusLabelFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// defaultBucketBounds are the upper bounds of grpcobs' default classic histogram, read from a
// real collector.
func defaultBucketBounds(t *testing.T) []float64 {
	t.Helper()
	for _, f := range initializedServerMetrics(t) {
		if f.GetName() == "grpc_server_handling_seconds" && len(f.GetMetric()) > 0 {
			var bounds []float64
			for _, b := range f.GetMetric()[0].GetHistogram().GetBucket() {
				bounds = append(bounds, b.GetUpperBound())
			}
			return bounds
		}
	}
	t.Fatal("no grpc_server_handling_seconds after InitializeMetrics")
	return nil
}

// initializedServerMetrics gathers the series of a real ServerMetrics after InitializeMetrics
// on the demo service's server: every code and every bucket at zero.
func initializedServerMetrics(t *testing.T) []*dto.MetricFamily {
	t.Helper()
	srvMetrics := metrics.NewServerMetrics()
	reg := promclient.NewRegistry()
	reg.MustRegister(srvMetrics)
	h := testsrv.Start(t)
	srvMetrics.InitializeMetrics(h.Server)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return families
}

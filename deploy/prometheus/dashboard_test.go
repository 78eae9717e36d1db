package prometheus_test

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
)

// dashboardFile is the committed dashboard (make dashboard-check keeps it what
// deploy/dashboard generates).
const dashboardFile = "../dashboard/grpcobs.json"

// dashboardVariables stand in for Grafana's: every job, service and method; a rate window
// that holds the whole scripted load; a dashboard range of an hour.
var dashboardVariables = strings.NewReplacer(
	"$job", ".*", "$service", ".*", "$method", ".*",
	"$__rate_interval", "5m", "$__range", "1h",
)

// dashboardQuery is one query of a panel of the committed dashboard.
type dashboardQuery struct{ panel, expr string }

func dashboardQueries(t *testing.T) []dashboardQuery {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	var out []dashboardQuery
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			out = append(out, dashboardQuery{panel: p.Title, expr: dashboardVariables.Replace(q.Expr)})
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no queries", dashboardFile)
	}
	return out
}

// seriesKey names a result series by the labels the panel groups by.
func seriesKey(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if k == "__name__" { // a query that selects a recorded series as it is keeps its name
			continue
		}
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ",")
}

// panelSeries is what each query of a panel must return after the scripted load: exactly
// the series of want (keys of seriesKey), or, with anyOf, any series at all (the panels that
// draw every series on purpose: the heatmap's buckets, the health states).
type panelSeries struct {
	want  []string
	anyOf bool
}

// key is the seriesKey of the given label pairs.
func key(pairs ...string) string {
	labels := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		labels[pairs[i]] = pairs[i+1]
	}
	return seriesKey(labels)
}

// expectedPanelSeries derives every panel's series from the load: the methods called, those
// with server and client errors, the non-OK codes that happened. Never a method nobody
// called (the health service's), nor a code InitializeMetrics only pre-initialised.
func expectedPanelSeries(want map[string]counts, slowEcho bool) map[string]panelSeries {
	const svc = "grpc_service"
	var called, calledByJob, serverFailed, clientFailed, nonOK []string
	for _, m := range slices.Sorted(maps.Keys(want)) {
		c := want[m]
		called = append(called, key(svc, demoService, "grpc_method", m))
		calledByJob = append(calledByJob, key("job", "grpcobs", svc, demoService, "grpc_method", m))
		if c.serverErrors > 0 {
			serverFailed = append(serverFailed, key("job", "grpcobs", svc, demoService, "grpc_method", m))
		}
		if c.clientErrors > 0 {
			clientFailed = append(clientFailed, key("job", "grpcobs", svc, demoService, "grpc_method", m))
		}
	}
	for _, s := range scriptedLoad {
		if s.code != codes.OK {
			nonOK = append(nonOK, key(svc, demoService, "grpc_method", s.method, "grpc_code", s.code.String()))
		}
	}
	var slow []string
	if slowEcho {
		slow = []string{key("job", "grpcobs", svc, demoService)}
	}
	return map[string]panelSeries{
		"Server requests/s by method":                   {want: called},
		"Server error ratio by method":                  {want: serverFailed},
		"Server non-OK codes/s by method and code":      {want: nonOK},
		"Server duration p50 / p95 / p99 by method":     {want: called},
		"Calls in flight by method":                     {want: nil}, // no call is in flight at any scrape
		"Server duration heatmap: $method":              {anyOf: true},
		"Client requests/s by calling job and method":   {want: calledByJob},
		"Client error ratio by calling job and method":  {want: clientFailed},
		"Client duration p99 by calling job and method": {want: calledByJob},
		"Health status over time":                       {anyOf: true},
		"Health checks over time":                       {anyOf: true},
		"Availability burn rate (1h)":                   {want: []string{key("job", "grpcobs", svc, demoService)}},
		"Latency burn rate (1h)":                        {want: slow},
	}
}

// checkDashboard runs every query of the committed dashboard against prom, which has
// scraped the scripted load, and compares each query's series with the panel's expectation.
func checkDashboard(t *testing.T, prom *promServer, want map[string]counts, slowEcho bool) {
	t.Helper()
	expected := expectedPanelSeries(want, slowEcho)
	seen := map[string]bool{}
	for _, q := range dashboardQueries(t) {
		exp, ok := expected[q.panel]
		if !ok {
			t.Errorf("panel %q has no expectation in this test", q.panel)
			continue
		}
		seen[q.panel] = true
		got, err := prom.query(t.Context(), q.expr)
		if err != nil {
			t.Errorf("panel %q: %v", q.panel, err)
			continue
		}
		var keys []string
		for _, s := range got {
			keys = append(keys, seriesKey(s.Metric))
		}
		if exp.anyOf {
			if len(keys) == 0 {
				t.Errorf("panel %q: %s returned no series", q.panel, q.expr)
			}
			continue
		}
		wantKeys := slices.Sorted(slices.Values(exp.want))
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("panel %q: %s\n got series %q\nwant %q", q.panel, q.expr, keys, wantKeys)
		}
	}
	for panel := range expected {
		if !seen[panel] {
			t.Errorf("no panel %q in %s", panel, dashboardFile)
		}
	}
}

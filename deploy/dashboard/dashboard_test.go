package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// panelJSON is the part of a panel the tests read, from the generated JSON itself.
type panelJSON struct {
	Type       string `json:"type"`
	Title      string `json:"title"`
	Repeat     string `json:"repeat"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr       string `json:"expr"`
		Exemplar   bool   `json:"exemplar"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
	} `json:"targets"`
	FieldConfig struct {
		Defaults struct {
			Links []struct {
				URL string `json:"url"`
			} `json:"links"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
}

type dashboardJSON struct {
	UID        string      `json:"uid"`
	Panels     []panelJSON `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

func generated(t *testing.T) dashboardJSON {
	t.Helper()
	b, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	var d dashboardJSON
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("the generated JSON does not decode: %v", err)
	}
	return d
}

func TestDataSourcesAreVariables(t *testing.T) {
	d := generated(t)
	kinds := map[string]any{}
	for _, v := range d.Templating.List {
		if v.Type == "datasource" {
			kinds[v.Name] = v.Query
		}
	}
	if kinds["datasource"] != "prometheus" || kinds["traces"] != "tempo" {
		t.Errorf("datasource variables = %v, want datasource (prometheus) and traces (tempo)", kinds)
	}
	for _, p := range d.Panels {
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q does not use ${datasource}", p.Title)
		}
		for _, q := range p.Targets {
			if q.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q: query %q does not use ${datasource}", p.Title, q.Expr)
			}
		}
	}
}

// TestLatencyPanelsLinkExemplarsToTraces: the latency panels ask Prometheus for exemplars and
// carry a link that opens the exemplar's trace_id in the traces data source.
func TestLatencyPanelsLinkExemplarsToTraces(t *testing.T) {
	var checked int
	for _, p := range generated(t).Panels {
		if p.Type == "row" || !strings.Contains(p.Title, "duration") {
			continue
		}
		checked++
		for _, q := range p.Targets {
			if !q.Exemplar {
				t.Errorf("panel %q: query %q does not ask for exemplars", p.Title, q.Expr)
			}
		}
		if len(p.FieldConfig.Defaults.Links) != 1 {
			t.Errorf("panel %q has %d links, want the trace link", p.Title, len(p.FieldConfig.Defaults.Links))
			continue
		}
		if url := p.FieldConfig.Defaults.Links[0].URL; !strings.Contains(url, `"datasource":"${traces}"`) || !strings.Contains(url, "${__data.fields.trace_id}") {
			t.Errorf("panel %q: trace link %q does not open trace_id in ${traces}", p.Title, url)
		}
	}
	if checked != 3 {
		t.Errorf("found %d duration panels, want 3 (server quantiles, heatmap, client p99)", checked)
	}
}

func TestHeatmapRepeatsPerMethod(t *testing.T) {
	for _, p := range generated(t).Panels {
		if p.Type == "heatmap" {
			if p.Repeat != "method" || len(p.Targets) != 1 || !strings.Contains(p.Targets[0].Expr, "grpc_server_handling_seconds_bucket") {
				t.Errorf("heatmap repeats %q over %d queries, want one per method on the classic buckets", p.Repeat, len(p.Targets))
			}
			return
		}
	}
	t.Error("no heatmap panel")
}

// exportedSeries are the series grpcobs exports (docs/metrics.md, docs/health.md), as queries
// name them.
var exportedSeries = []string{
	"grpc_server_handled_total", "grpc_server_handling_seconds", "grpc_server_handling_seconds_bucket", "grpc_server_in_flight",
	"grpc_client_handled_total", "grpc_client_handling_seconds", "grpc_client_handling_seconds_bucket", "grpc_client_in_flight",
	"grpcobs_health_serving", "grpcobs_health_check_passing",
}

var (
	seriesName = regexp.MustCompile(`\b([a-z_]+:[a-z_:0-9]+|grpc_[a-z_]+|grpcobs_[a-z_]+)\b`) // recorded names first: they may start with a label name
	recordName = regexp.MustCompile(`record: (\S+)`)
)

// TestQueriesNameRealSeries: every series a panel or a variable queries is one grpcobs
// exports or one the rules in deploy/prometheus record, so a renamed rule breaks this test
// instead of a panel.
func TestQueriesNameRealSeries(t *testing.T) {
	known := slices.Clone(exportedSeries)
	rules, err := filepath.Glob("../prometheus/*.rules.yml")
	if err != nil || len(rules) == 0 {
		t.Fatalf("no rule files in ../prometheus (err %v)", err)
	}
	for _, path := range rules {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range recordName.FindAllStringSubmatch(string(b), -1) {
			known = append(known, m[1])
		}
	}
	d := generated(t)
	var exprs []string
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			exprs = append(exprs, q.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if s, ok := v.Query.(string); ok && v.Type == "query" {
			exprs = append(exprs, s)
		}
	}
	for _, expr := range exprs {
		names := seriesName.FindAllString(expr, -1)
		if len(names) == 0 {
			t.Errorf("query %q names no series", expr)
		}
		for _, name := range names {
			if !slices.Contains(known, name) && !isLabel(name) {
				t.Errorf("query %q names %q, which neither grpcobs nor the rules produce", expr, name)
			}
		}
	}
}

// isLabel tells the label names the series pattern also matches.
func isLabel(name string) bool {
	return slices.Contains([]string{"grpc_service", "grpc_method", "grpc_code", "grpc_type"}, name)
}

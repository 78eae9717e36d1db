package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
)

// summarized are the client's own series printSummary prints: the calls, by the code each
// ended with, and the attempts, by the code each attempt ended with.
var summarized = map[string]bool{"grpc_client_handled_total": true, "grpc_client_attempts_total": true}

// printSummary prints the client's own grpc_client_handled_total and
// grpc_client_attempts_total, one line per series, method and code.
func printSummary(out io.Writer, registry *prometheus.Registry) error {
	families, err := registry.Gather()
	if err != nil {
		return fmt.Errorf("gathering client metrics: %w", err)
	}
	type row struct {
		series, method, code string
		count                float64
	}
	var rows []row
	for _, f := range families {
		if !summarized[f.GetName()] {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if v := m.GetCounter().GetValue(); v > 0 {
				rows = append(rows, row{series: f.GetName(), method: labels["grpc_service"] + "/" + labels["grpc_method"], code: labels["grpc_code"], count: v})
			}
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].series != rows[j].series {
			return rows[i].series > rows[j].series // handled first, then attempts
		}
		if rows[i].method != rows[j].method {
			return rows[i].method < rows[j].method
		}
		return rows[i].code < rows[j].code
	})
	fmt.Fprintln(out, "client metrics:")
	for _, r := range rows {
		fmt.Fprintf(out, "  %-26s %-45s %-12s %g\n", r.series, r.method, r.code, r.count)
	}
	return nil
}

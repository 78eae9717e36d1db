package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
)

// printSummary prints the client's own grpc_client_handled_total, one line per method and code.
func printSummary(out io.Writer, registry *prometheus.Registry) error {
	families, err := registry.Gather()
	if err != nil {
		return fmt.Errorf("gathering client metrics: %w", err)
	}
	type row struct {
		method, code string
		count        float64
	}
	var rows []row
	for _, f := range families {
		if f.GetName() != "grpc_client_handled_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if v := m.GetCounter().GetValue(); v > 0 {
				rows = append(rows, row{method: labels["grpc_service"] + "/" + labels["grpc_method"], code: labels["grpc_code"], count: v})
			}
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].method != rows[j].method {
			return rows[i].method < rows[j].method
		}
		return rows[i].code < rows[j].code
	})
	fmt.Fprintln(out, "client metrics: grpc_client_handled_total")
	for _, r := range rows {
		fmt.Fprintf(out, "  %-45s %-10s %g\n", r.method, r.code, r.count)
	}
	return nil
}

package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/grpcobs/grpcobs/bench/internal/results"
)

// writeRatios writes one table per transport: a row per configuration, a column per
// benchmark. The bare row has the medians themselves; every other cell is the time ratio to
// bare and the extra allocations per operation.
func writeRatios(w io.Writer, set *results.Set) {
	for _, transport := range set.Transports {
		fmt.Fprintf(w, "**%s** (median of %d rounds; time ratio to bare, extra allocs per op)\n\n", transport, rounds(set, transport))
		header := []string{"configuration"}
		for _, benchmark := range set.Benchmarks {
			header = append(header, results.Label(benchmark))
		}
		writeRow(w, header)
		separator := make([]string, len(header))
		for i := range separator {
			separator[i] = "---"
		}
		writeRow(w, separator)
		for _, config := range set.Configs {
			row := []string{config}
			for _, benchmark := range set.Benchmarks {
				row = append(row, cell(set, results.Key{Benchmark: benchmark, Transport: transport, Config: config}))
			}
			writeRow(w, row)
		}
		fmt.Fprintln(w)
	}
}

func cell(set *results.Set, key results.Key) string {
	if key.Config == results.Bare {
		sum, ok := set.Summary(key)
		if !ok {
			return "–"
		}
		return fmt.Sprintf("%s, %.0f allocs", duration(sum.NsPerOp), sum.AllocsPerOp)
	}
	ratio, extra, ok := set.VersusBare(key)
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.2f×, %+.0f", ratio, extra)
}

func duration(ns float64) string {
	if ns >= 1000 {
		return fmt.Sprintf("%.1f µs", ns/1000)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

// rounds is how many rounds the bare unary figure of the transport is a median of.
func rounds(set *results.Set, transport string) int {
	sum, _ := set.Summary(results.Key{Benchmark: set.Benchmarks[0], Transport: transport, Config: results.Bare})
	return sum.Rounds
}

func writeRow(w io.Writer, cells []string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
}

package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// minThroughputRatio is the target: instrumented throughput at least 85% of bare.
const minThroughputRatio = 0.85

func main() {
	full := flag.String("full", "", "space-separated ghz JSON reports of the full-stack server")
	bare := flag.String("bare", "", "space-separated ghz JSON reports of the server with observability off")
	requireOK := flag.Bool("require-ok", false, "fail when a call of either server did not end with OK")
	flag.Parse()
	if err := run(os.Stdout, strings.Fields(*full), strings.Fields(*bare), *requireOK); err != nil {
		fmt.Fprintln(os.Stderr, "loadreport:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, fullPaths, barePaths []string, requireOK bool) error {
	full, err := summarise(fullPaths)
	if err != nil {
		return fmt.Errorf("full stack: %w", err)
	}
	bare, err := summarise(barePaths)
	if err != nil {
		return fmt.Errorf("observability off: %w", err)
	}
	writeTable(w, full, bare)
	if requireOK && (full.failed > 0 || bare.failed > 0) {
		return fmt.Errorf("%d calls to the full-stack server and %d to the other failed", full.failed, bare.failed)
	}
	return nil
}

func writeTable(w io.Writer, full, bare summary) {
	fmt.Fprintf(w, "| examples/server | requests/s | p50 | p99 | calls (failed) |\n")
	fmt.Fprintf(w, "| --- | --- | --- | --- | --- |\n")
	for _, row := range []struct {
		name string
		s    summary
	}{{"observability off", bare}, {"full grpcobs stack", full}} {
		fmt.Fprintf(w, "| %s | %.0f | %s | %s | %d (%d) |\n", row.name, row.s.rps, ms(row.s.p50), ms(row.s.p99), row.s.calls, row.s.failed)
	}
	ratio := pairedRatio(full.roundRPS, bare.roundRPS)
	verdict := "met"
	if ratio < minThroughputRatio {
		verdict = "missed"
	}
	fmt.Fprintf(w, "| full / off | **%.2f** (target ≥ %.2f: %s) | %.2f× | %.2f× | |\n",
		ratio, minThroughputRatio, verdict, pairedRatio(full.roundP50, bare.roundP50), pairedRatio(full.roundP99, bare.roundP99))
	fmt.Fprintf(w, "\nMedians of %d rounds per server, the servers alternating (each round in the other order); the ratios are the medians of each round's ratio.\n",
		min(full.rounds, bare.rounds))
}

// pairedRatio is the median over rounds of full's figure over bare's in the same round: the
// machine's load drifts between rounds, and a round's two runs are seconds apart. Without as
// many rounds of each, it is the ratio of the medians.
func pairedRatio[T float64 | time.Duration](full, bare []T) float64 {
	if len(full) != len(bare) || slices.Contains(bare, 0) {
		return float64(median(full)) / float64(median(bare))
	}
	ratios := make([]float64, len(full))
	for i := range full {
		ratios[i] = float64(full[i]) / float64(bare[i])
	}
	return median(ratios)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

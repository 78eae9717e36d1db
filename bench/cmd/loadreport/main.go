package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// minThroughputRatio is the target: instrumented throughput at least 85% of bare.
const minThroughputRatio = 0.85

func main() {
	full := flag.String("full", "", "space-separated ghz JSON reports of the full-stack server")
	bare := flag.String("bare", "", "space-separated ghz JSON reports of the server with observability off")
	flag.Parse()
	if err := run(os.Stdout, strings.Fields(*full), strings.Fields(*bare)); err != nil {
		fmt.Fprintln(os.Stderr, "loadreport:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, fullPaths, barePaths []string) error {
	full, err := summarise(fullPaths)
	if err != nil {
		return fmt.Errorf("full stack: %w", err)
	}
	bare, err := summarise(barePaths)
	if err != nil {
		return fmt.Errorf("observability off: %w", err)
	}
	writeTable(w, full, bare)
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
	ratio := full.rps / bare.rps
	verdict := "met"
	if ratio < minThroughputRatio {
		verdict = "missed"
	}
	fmt.Fprintf(w, "| full / off | **%.2f** (target ≥ %.2f: %s) | %.2f× | %.2f× | |\n",
		ratio, minThroughputRatio, verdict, float64(full.p50)/float64(bare.p50), float64(full.p99)/float64(bare.p99))
	fmt.Fprintf(w, "\nMedians of %d rounds per server, the servers alternating.\n", min(full.rounds, bare.rounds))
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

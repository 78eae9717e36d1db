package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testdata(names ...string) []string {
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join("testdata", n+".json")
	}
	return paths
}

func TestSummariseTakesMediansAndCountsFailures(t *testing.T) {
	s, err := summarise(testdata("bare-1", "bare-2"))
	if err != nil {
		t.Fatalf("summarise: %v", err)
	}
	if s.rounds != 2 || s.calls != 56000 || s.failed != 3 {
		t.Errorf("rounds %d, calls %d, failed %d; want 2, 56000, 3", s.rounds, s.calls, s.failed)
	}
	if s.rps <= 0 || s.p50 <= 0 || s.p99 < s.p50 {
		t.Errorf("rps %v, p50 %v, p99 %v: want positive, and p99 ≥ p50", s.rps, s.p50, s.p99)
	}
}

func TestRunWritesBothServersAndTheVerdict(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, testdata("full-1", "full-2"), testdata("bare-1", "bare-2"), false); err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, want := range []string{"| observability off |", "| full grpcobs stack |", "target ≥ 0.85: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunNeedsReportsOfBothServers(t *testing.T) {
	if err := run(&bytes.Buffer{}, testdata("full-1"), nil, false); err == nil {
		t.Error("run without reports of the bare server: nil error, want one")
	}
	if err := run(&bytes.Buffer{}, testdata("missing"), testdata("bare-1"), false); err == nil {
		t.Error("run with a missing report: nil error, want one")
	}
}

// With -require-ok, a failed call of either server fails the report (the testdata's bare-2
// holds 3), after the table is written; without it, they are only counted.
func TestRequireOKFailsOnFailedCalls(t *testing.T) {
	var out bytes.Buffer
	err := run(&out, testdata("full-1", "full-2"), testdata("bare-1", "bare-2"), true)
	if err == nil || !strings.Contains(err.Error(), "0 calls to the full-stack server and 3 to the other failed") {
		t.Errorf("run -require-ok with 3 failed calls: error %v, want one that counts them", err)
	}
	if !strings.Contains(out.String(), "| full grpcobs stack |") {
		t.Errorf("no table before the error:\n%s", out.String())
	}
	if err := run(&bytes.Buffer{}, testdata("full-1", "full-2"), testdata("bare-1"), true); err != nil {
		t.Errorf("run -require-ok with no failed call: %v", err)
	}
}

// Rounds are paired: a slow round for both servers does not make the ratio, as the ratio of
// the medians (from different rounds) would.
func TestPairedRatioComparesRoundsWithRounds(t *testing.T) {
	full, bare := []float64{900, 400, 880}, []float64{1000, 500, 1100}
	// Per round: 0.9, 0.8, 0.8; the medians' ratio would be 880/1000.
	if got := pairedRatio(full, bare); got != 0.8 {
		t.Errorf("pairedRatio = %v, want 0.8", got)
	}
	if got := pairedRatio([]float64{900, 800}, []float64{1000}); got != 0.8 {
		t.Errorf("pairedRatio of unequal rounds = %v, want 800/1000 (lower medians)", got)
	}
}

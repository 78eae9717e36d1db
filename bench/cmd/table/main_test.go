package main

import (
	"os"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/bench/internal/results"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The synthetic results (two rounds) put the full stack at 1.40× and +92 allocs, production at
// 1.12×, every grpcobs signal under its anchor but metrics (1.02× against 1.01×, which two
// rounds cannot tell apart), and every stream at the unary ratio. On unary bufconn only, the
// OpenTelemetry metrics signal is at 1.01× (+2) against anchors at 1.28× (+66) and 1.30×
// (+70), the status page at 1.02×, and the full stack with it at the full stack's 1.40×.
func readSet(t *testing.T) *results.Set {
	t.Helper()
	f, err := os.Open("testdata/results.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	set, err := results.Read(f, "results.txt")
	if err != nil {
		t.Fatalf("reading the results: %v", err)
	}
	return set
}

func TestTargetsAreJudgedOnBufconn(t *testing.T) {
	got := map[string]bool{}
	for _, target := range targets(readSet(t)) {
		if !target.measured {
			t.Errorf("%s: not measured", target.what)
		}
		got[target.what] = target.met
	}
	want := map[string]bool{
		"full stack, unary":                                true,
		"full stack, unary, extra allocs":                  true,
		"tracing alone, unary":                             true,
		"metrics alone, unary":                             true,
		"logging alone, unary":                             true,
		"full stack, server stream (10 msgs)":              false,
		"full stack, bidi (10 round trips)":                false,
		"production, unary":                                false,
		"OpenTelemetry metrics alone, unary":               true,
		"OpenTelemetry metrics alone, unary, extra allocs": true,
		"status page alone, unary":                         true,
		"full stack with the status page, unary":           true,
	}
	for what, met := range want {
		if got[what] != met {
			t.Errorf("%s: met = %v, want %v", what, got[what], met)
		}
	}
}

func TestRatiosTableHasEveryConfigurationAndTransport(t *testing.T) {
	var out strings.Builder
	writeRatios(&out, readSet(t))
	for _, want := range []string{
		"**bufconn** (median of 2 rounds",
		"**tcp**",
		"| bare | 50.2 µs, 150 allocs |",
		"| grpcobs-full | 1.40×, +92 |",
		"| anchor-full | 3.20×, +329 |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

// The synthetic results have the hand-rolled stacks for unary calls only: 1.38× and +110
// allocs (full), 1.10× (production).
func TestTargetsShowTheSameStackByHand(t *testing.T) {
	var out strings.Builder
	writeTargets(&out, readSet(t))
	for _, want := range []string{
		"| full stack, unary | ≤ 1.5× | 1.40× | met | 1.38× |",
		"| full stack, unary, extra allocs | ≤ 100 | +92 | met | +110 |",
		"| production, unary | ≤ 1.1× | 1.12× | missed | 1.10× |",
		"| full stack, bidi (10 round trips) | ≤ 1.3× | 1.40× | missed | – |",
		"| tracing alone, unary |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("targets table lacks %q:\n%s", want, out.String())
		}
	}
}

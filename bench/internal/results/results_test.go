package results

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

const twoRounds = `goos: linux
pkg: github.com/grpcobs/grpcobs/bench
BenchmarkUnary/transport=bufconn/config=bare-2         	    4762	     50000 ns/op	    9955 B/op	     150 allocs/op
BenchmarkUnary/transport=bufconn/config=grpcobs-full-2 	    2590	     80000 ns/op	   18898 B/op	     242 allocs/op
BenchmarkMetricsUnary/grpcobs-2                        	    2590	     80000 ns/op	   18898 B/op	     242 allocs/op
BenchmarkUnary/transport=bufconn/config=bare-2         	    4762	     60000 ns/op	    9955 B/op	     150 allocs/op
BenchmarkUnary/transport=bufconn/config=grpcobs-full-2 	    2590	     70000 ns/op	   18898 B/op	     244 allocs/op
BenchmarkBidi/transport=tcp/config=bare-2              	    2590	     70000 ns/op	   18898 B/op	     500 allocs/op
`

func TestReadTakesMediansAndRatiosToBare(t *testing.T) {
	set, err := Read(strings.NewReader(twoRounds), "results.txt")
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	full := Key{Benchmark: "Unary", Transport: "bufconn", Config: "grpcobs-full"}
	sum, ok := set.Summary(full)
	if !ok || sum.NsPerOp != 75000 || sum.AllocsPerOp != 243 || sum.Rounds != 2 {
		t.Errorf("Summary(%v) = %+v, %v; want 75000 ns, 243 allocs, 2 rounds", full, sum, ok)
	}
	// Paired by round: 80/50 and 70/60.
	ratio, extra, ok := set.VersusBare(full)
	if want := (80.0/50 + 70.0/60) / 2; !ok || math.Abs(ratio-want) > 1e-9 || extra != 93 {
		t.Errorf("VersusBare(%v) = %v, %v, %v; want %v, 93, true", full, ratio, extra, ok, want)
	}
	if _, _, ok := set.VersusBare(Key{Benchmark: "Bidi", Transport: "tcp", Config: "grpcobs-full"}); ok {
		t.Error("VersusBare of a setup the run did not measure: ok, want not ok")
	}
	if got, want := strings.Join(set.Benchmarks, ","), "Unary,Bidi"; got != want {
		t.Errorf("Benchmarks = %s, want %s (other benchmarks skipped)", got, want)
	}
	if got, want := strings.Join(set.Configs, ","), "bare,grpcobs-full"; got != want {
		t.Errorf("Configs = %s, want %s", got, want)
	}
	if got, want := strings.Join(set.Transports, ","), "bufconn,tcp"; got != want {
		t.Errorf("Transports = %s, want %s", got, want)
	}
}

func TestReadRejectsOutputWithoutOurBenchmarks(t *testing.T) {
	if _, err := Read(strings.NewReader("BenchmarkOther-2 10 5 ns/op\n"), "other.txt"); err == nil {
		t.Error("Read of output without transport=/config= benchmarks: nil error, want one")
	}
}

func TestSameSpeedTellsNoiseFromDifference(t *testing.T) {
	var text strings.Builder
	for i := range 8 {
		fmt.Fprintf(&text, "BenchmarkUnary/transport=bufconn/config=a-2 100 %d ns/op\n", 1000+i*10)
		fmt.Fprintf(&text, "BenchmarkUnary/transport=bufconn/config=b-2 100 %d ns/op\n", 1005+i*10)
		fmt.Fprintf(&text, "BenchmarkUnary/transport=bufconn/config=c-2 100 %d ns/op\n", 2000+i*10)
	}
	set, err := Read(strings.NewReader(text.String()), "results.txt")
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	key := func(config string) Key { return Key{Benchmark: "Unary", Transport: "bufconn", Config: config} }
	if same, p, ok := set.SameSpeed(key("a"), key("b")); !ok || !same {
		t.Errorf("SameSpeed(a, b) = %v (p=%v), %v; want overlapping samples to be the same speed", same, p, ok)
	}
	if same, p, ok := set.SameSpeed(key("a"), key("c")); !ok || same {
		t.Errorf("SameSpeed(a, c) = %v (p=%v), %v; want samples twice as slow to differ", same, p, ok)
	}
	if _, _, ok := set.SameSpeed(key("a"), key("missing")); ok {
		t.Error("SameSpeed with an unmeasured setup: ok, want not ok")
	}
}

// A round where the machine was slow for both moves neither's ratio: the rounds are paired, so
// the third round's 3x (a drift between bare's and the setup's runs) does not become the
// result, as the ratio of the medians (330/110) would make it.
func TestVersusBarePairsRounds(t *testing.T) {
	var text strings.Builder
	for _, round := range [][2]int{{100, 150}, {300, 450}, {110, 330}} {
		fmt.Fprintf(&text, "BenchmarkUnary/transport=bufconn/config=bare-2 100 %d ns/op\n", round[0])
		fmt.Fprintf(&text, "BenchmarkUnary/transport=bufconn/config=x-2 100 %d ns/op\n", round[1])
	}
	fmt.Fprintf(&text, "BenchmarkBidi/transport=bufconn/config=bare-2 100 100 ns/op\n")
	fmt.Fprintf(&text, "BenchmarkBidi/transport=bufconn/config=bare-2 100 300 ns/op\n")
	fmt.Fprintf(&text, "BenchmarkBidi/transport=bufconn/config=x-2 100 400 ns/op\n")
	set, err := Read(strings.NewReader(text.String()), "results.txt")
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if ratio, _, ok := set.VersusBare(Key{Benchmark: "Unary", Transport: "bufconn", Config: "x"}); !ok || ratio != 1.5 {
		t.Errorf("paired VersusBare = %v, %v; want 1.5 (150/100, 450/300, 330/110)", ratio, ok)
	}
	// Unequal counts cannot be paired: the ratio of the medians, 400/200.
	if ratio, _, ok := set.VersusBare(Key{Benchmark: "Bidi", Transport: "bufconn", Config: "x"}); !ok || ratio != 2 {
		t.Errorf("unpaired VersusBare = %v, %v; want 2", ratio, ok)
	}
}

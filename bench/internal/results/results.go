package results

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// Bare is the configuration every ratio is relative to.
const Bare = "bare"

// Key names one measured setup: Benchmark<Benchmark>/transport=<Transport>/config=<Config>.
type Key struct {
	Benchmark string
	Transport string
	Config    string
}

// Summary is the median of a setup's rounds.
type Summary struct {
	// NsPerOp is the median time per operation, in nanoseconds.
	NsPerOp float64
	// AllocsPerOp is the median number of allocations per operation.
	AllocsPerOp float64
	// Rounds is how many results the medians are of.
	Rounds int
}

// Set is every setup of one run, with the names in the order the run first met them.
type Set struct {
	Benchmarks []string
	Transports []string
	Configs    []string
	summaries  map[Key]Summary
	samples    map[Key]*samples
}

// Summary returns the setup's medians, and whether the run measured it.
func (s *Set) Summary(k Key) (Summary, bool) {
	sum, ok := s.summaries[k]
	return sum, ok
}

// VersusBare returns the setup's time relative to the bare configuration's, and how many more
// allocations it makes per operation; ok is false when either was not measured.
//
// The time ratio is paired by round: the median, over the rounds, of the setup's time divided
// by bare's time in the same round (the n-th result of each, as run.sh appends one result per
// setup per round). A shared machine's load drifts over minutes, and a round's results of one
// benchmark are seconds apart, so pairing cancels most of the drift that a ratio of the two
// medians, taken from different rounds, would keep. When the two were not measured the same
// number of times, it is the ratio of the medians.
func (s *Set) VersusBare(k Key) (ratio, extraAllocs float64, ok bool) {
	bareKey := Key{Benchmark: k.Benchmark, Transport: k.Transport, Config: Bare}
	sum, ok1 := s.summaries[k]
	bare, ok2 := s.summaries[bareKey]
	if !ok1 || !ok2 || bare.NsPerOp == 0 {
		return 0, 0, false
	}
	extraAllocs = sum.AllocsPerOp - bare.AllocsPerOp
	setup, baseline := s.samples[k].ns, s.samples[bareKey].ns
	if len(setup) != len(baseline) || slices.Contains(baseline, 0) {
		return sum.NsPerOp / bare.NsPerOp, extraAllocs, true
	}
	ratios := make([]float64, len(setup))
	for i := range setup {
		ratios[i] = setup[i] / baseline[i]
	}
	return median(ratios), extraAllocs, true
}

// SameSpeed reports whether the times per operation of a and b are not told apart by the
// test benchstat uses (Mann-Whitney U, alpha 0.05), with its p-value; ok is false when either
// was not measured.
func (s *Set) SameSpeed(a, b Key) (same bool, p float64, ok bool) {
	sa, ok1 := s.samples[a]
	sb, ok2 := s.samples[b]
	if !ok1 || !ok2 {
		return false, 0, false
	}
	c := benchmath.AssumeNothing.Compare(
		benchmath.NewSample(sa.ns, &benchmath.DefaultThresholds),
		benchmath.NewSample(sb.ns, &benchmath.DefaultThresholds))
	return c.P >= c.Alpha, c.P, true
}

// Read parses benchmark output. Results whose names lack a transport or a config part (other
// benchmarks of the module) are skipped.
func Read(r io.Reader, fileName string) (*Set, error) {
	byKey := map[Key]*samples{}
	set := &Set{}
	reader := benchfmt.NewReader(r, fileName)
	for reader.Scan() {
		switch rec := reader.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, rec
		case *benchfmt.Result:
			key, ok := keyOf(rec.Name)
			if !ok {
				continue
			}
			set.Benchmarks = appendNew(set.Benchmarks, key.Benchmark)
			set.Transports = appendNew(set.Transports, key.Transport)
			set.Configs = appendNew(set.Configs, key.Config)
			s := byKey[key]
			if s == nil {
				s = &samples{}
				byKey[key] = s
			}
			if ns, ok := rec.Value("sec/op"); ok {
				s.ns = append(s.ns, ns*1e9)
			}
			if allocs, ok := rec.Value("allocs/op"); ok {
				s.allocs = append(s.allocs, allocs)
			}
		}
	}
	if err := reader.Err(); err != nil {
		return nil, err
	}
	if len(byKey) == 0 {
		return nil, fmt.Errorf("%s: no benchmark named Benchmark…/transport=…/config=…", fileName)
	}
	set.samples = byKey
	set.summaries = make(map[Key]Summary, len(byKey))
	for key, s := range byKey {
		set.summaries[key] = Summary{NsPerOp: median(s.ns), AllocsPerOp: median(s.allocs), Rounds: len(s.ns)}
	}
	return set, nil
}

type samples struct{ ns, allocs []float64 }

// keyOf reads BenchmarkUnary/transport=bufconn/config=bare-2 as {Unary, bufconn, bare}.
func keyOf(name benchfmt.Name) (Key, bool) {
	base, parts := name.Parts()
	key := Key{Benchmark: string(base)}
	for _, part := range parts {
		k, v, ok := strings.Cut(strings.TrimPrefix(string(part), "/"), "=")
		if !ok {
			continue
		}
		switch k {
		case "transport":
			key.Transport = v
		case "config":
			key.Config = v
		}
	}
	return key, key.Transport != "" && key.Config != ""
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[mid]
	}
	return (sorted[mid-1] + sorted[mid]) / 2
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"
)

// ghzReport is the part of a ghz JSON report the table needs.
type ghzReport struct {
	Count   int64   `json:"count"`
	RPS     float64 `json:"rps"`
	Latency []struct {
		Percentage int           `json:"percentage"`
		Latency    time.Duration `json:"latency"`
	} `json:"latencyDistribution"`
	StatusCodes map[string]int64 `json:"statusCodeDistribution"`
}

// percentile returns the report's latency at the given percentage.
func (r ghzReport) percentile(p int) (time.Duration, error) {
	for _, l := range r.Latency {
		if l.Percentage == p {
			return l.Latency, nil
		}
	}
	return 0, fmt.Errorf("no p%d in the latency distribution", p)
}

// failed is how many calls did not end with OK.
func (r ghzReport) failed() int64 {
	var n int64
	for code, count := range r.StatusCodes {
		if code != "OK" {
			n += count
		}
	}
	return n
}

func readReport(path string) (ghzReport, error) {
	var r ghzReport
	data, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// summary is the median over rounds of one server's figures, and each round's.
type summary struct {
	rounds   int
	calls    int64
	failed   int64
	rps      float64
	p50, p99 time.Duration

	roundRPS           []float64 // in the order of the reports
	roundP50, roundP99 []time.Duration
}

func summarise(paths []string) (summary, error) {
	s := summary{rounds: len(paths)}
	if len(paths) == 0 {
		return s, fmt.Errorf("no report")
	}
	var rps []float64
	var p50, p99 []time.Duration
	for _, path := range paths {
		r, err := readReport(path)
		if err != nil {
			return s, err
		}
		l50, err := r.percentile(50)
		if err != nil {
			return s, fmt.Errorf("%s: %w", path, err)
		}
		l99, err := r.percentile(99)
		if err != nil {
			return s, fmt.Errorf("%s: %w", path, err)
		}
		s.calls += r.Count
		s.failed += r.failed()
		rps, p50, p99 = append(rps, r.RPS), append(p50, l50), append(p99, l99)
	}
	s.rps, s.p50, s.p99 = median(rps), median(p50), median(p99)
	s.roundRPS, s.roundP50, s.roundP99 = rps, p50, p99
	return s, nil
}

// median is the middle value (the lower middle one of an even count, so that it is a value
// that was measured).
func median[T float64 | time.Duration](values []T) T {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return sorted[(len(sorted)-1)/2]
}

package statuspage

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The latency histogram's drawing, in SVG user units (CSS pixels).
const (
	barWidth    = 8
	barGap      = 2
	chartHeight = 32
	svgWidth    = numLatencyBuckets * (barWidth + barGap)
)

// svgBar is one bar of a method's latency histogram, placed by the server so that the page
// needs no script.
type svgBar struct {
	X, Y, Height int
	Title        string
}

// bars lays out the histogram: one bar per bucket, as high as its count relative to the
// fullest bucket; an empty bucket is a 1-unit stub, so the scale stays readable.
func bars(c latencyCounts) []svgBar {
	var most int64
	for _, n := range c {
		most = max(most, n)
	}
	out := make([]svgBar, 0, len(c))
	for i, n := range c {
		h := 1
		if most > 0 && n > 0 {
			h = max(2, int(n*chartHeight/most))
		}
		out = append(out, svgBar{X: i * (barWidth + barGap), Y: chartHeight - h, Height: h, Title: bucketTitle(i, n)})
	}
	return out
}

func bucketTitle(i int, n int64) string {
	calls := strconv.FormatInt(n, 10) + " calls"
	if i == len(latencyBounds) {
		return fmt.Sprintf("> %s: %s", formatDuration(latencyBounds[i-1]), calls)
	}
	return fmt.Sprintf("≤ %s: %s", formatDuration(latencyBounds[i]), calls)
}

// formatDuration writes d with about three significant digits: 1.23ms, 250µs, 2.5s.
func formatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Millisecond:
		return threeDigits(float64(d)/float64(time.Microsecond)) + "µs"
	case d < time.Second:
		return threeDigits(float64(d)/float64(time.Millisecond)) + "ms"
	default:
		return threeDigits(d.Seconds()) + "s"
	}
}

// threeDigits writes v ≥ 0 with two decimals below 10, one below 100, none above, and no
// trailing zeros.
func threeDigits(v float64) string {
	decimals := 0
	switch {
	case v < 10:
		decimals = 2
	case v < 100:
		decimals = 1
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if decimals > 0 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

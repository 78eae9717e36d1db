package prometheus_test

import (
	"math"
	"sort"

	dto "github.com/prometheus/client_model/go"
)

// classicQuantile is what PromQL's histogram_quantile gives for classic buckets with these
// counts: linear interpolation inside the bucket that holds the rank, the first bucket
// starting at 0, and the highest finite bound when the rank falls into +Inf.
func classicQuantile(q float64, h *dto.Histogram) float64 {
	buckets := h.GetBucket()
	total := float64(h.GetSampleCount())
	if total == 0 {
		return math.NaN()
	}
	rank := q * total
	b := sort.Search(len(buckets), func(i int) bool { return float64(buckets[i].GetCumulativeCount()) >= rank })
	if b == len(buckets) { // the +Inf bucket, which client_golang leaves implicit
		return buckets[len(buckets)-1].GetUpperBound()
	}
	start, below := 0.0, 0.0
	if b > 0 {
		start, below = buckets[b-1].GetUpperBound(), float64(buckets[b-1].GetCumulativeCount())
	}
	end, in := buckets[b].GetUpperBound(), float64(buckets[b].GetCumulativeCount())-below
	return start + (end-start)*((rank-below)/in)
}

// nativeBucketOfQuantile is the native histogram bucket, as (lower, upper] bounds, that holds
// the q-quantile: histogram_quantile interpolates inside it, however it interpolates.
func nativeBucketOfQuantile(q float64, h *dto.Histogram) (lower, upper float64, ok bool) {
	rank := q * float64(h.GetSampleCount())
	cumulative := float64(h.GetZeroCount())
	if cumulative >= rank && cumulative > 0 {
		return 0, h.GetZeroThreshold(), true
	}
	base := math.Pow(2, math.Pow(2, -float64(h.GetSchema())))
	index, count, delta := int32(0), int64(0), 0
	for _, span := range h.GetPositiveSpan() {
		index += span.GetOffset()
		for range span.GetLength() {
			count += h.GetPositiveDelta()[delta]
			delta++
			cumulative += float64(count)
			if cumulative >= rank {
				return math.Pow(base, float64(index-1)), math.Pow(base, float64(index)), true
			}
			index++
		}
	}
	return 0, 0, false
}

package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// The histogram exemplar slot of an observation is the bucket client_golang counts it in: the
// first bound at or above it, or +Inf beyond them all. Checked against client_golang itself,
// on every bound and the values around it, for short and long bucket lists.
func TestExemplarBandIsTheBucketOfTheObservation(t *testing.T) {
	long := prometheus.ExponentialBuckets(1e-6, 1.3, 60) // above client_golang's linear search
	for _, tc := range []struct {
		name   string
		bounds []float64
	}{
		{"default", defaultBuckets},
		{"one bound", []float64{0.1}},
		{"final +Inf", []float64{0.01, 0.1, math.Inf(1)}},
		{"negative bounds", []float64{-1, 0, 1}},
		{"long", long},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex := newExemplarSampler(newOptions([]Option{WithHistogramBuckets(tc.bounds...)}))
			values := []float64{0, -0.5, -2, 1e-12, 1e9, math.Inf(1), math.Inf(-1), math.NaN(), time.Duration(math.MaxInt64).Seconds()}
			for _, b := range tc.bounds {
				values = append(values, b, math.Nextafter(b, math.Inf(-1)), math.Nextafter(b, math.Inf(1)), b/2, b*1.01)
			}
			for _, v := range values {
				if got, want := ex.band(v), bucketOf(t, tc.bounds, v); got != want {
					t.Errorf("band(%v) = %d, client_golang counts it in bucket %d", v, got, want)
				}
			}
			if got, want := ex.slots(), len(ex.bands)+1; got != want {
				t.Errorf("%d slots, want %d", got, want)
			}
		})
	}
}

// bucketOf is the index of the bucket a fresh client_golang histogram with the bounds counts v
// in; the number of finite bounds is the +Inf bucket.
func bucketOf(t *testing.T, bounds []float64, v float64) int {
	t.Helper()
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Help: "h", Buckets: bounds})
	h.Observe(v)
	var m dto.Metric
	if err := h.Write(&m); err != nil {
		t.Fatal(err)
	}
	for i, b := range m.GetHistogram().GetBucket() {
		if b.GetCumulativeCount() == 1 {
			return i
		}
	}
	return len(m.GetHistogram().GetBucket())
}

func TestNativeOnlyHistogramsSpreadExemplarsOverTheDefaultBuckets(t *testing.T) {
	ex := newExemplarSampler(newOptions([]Option{WithHistogramBuckets(math.Inf(1)), WithNativeHistograms(1.1)}))
	if got, want := ex.slots(), len(defaultBuckets)+1; got != want {
		t.Errorf("%d slots, want %d", got, want)
	}
}

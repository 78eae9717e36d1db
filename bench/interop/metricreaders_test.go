package interop

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// meters is an SDK meter provider read by a ManualReader: one per instrumentation under
// comparison, so that each one's metrics are read apart.
type meters struct {
	*sdkmetric.MeterProvider
	reader *sdkmetric.ManualReader
}

func newMeters(t testing.TB) *meters {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	return &meters{MeterProvider: mp, reader: reader}
}

// metricSummary is what the comparison looks at in a metric: everything a dashboard or an
// alert reads, and nothing that depends on timing (the sums and the bucket counts depend on
// where each instrumentation reads its clock).
type metricSummary struct {
	Unit, Description, Kind string
	Bounds                  []float64
	// Points maps each data point's attributes ("key=value key=value", sorted) to its count:
	// the calls a histogram recorded, a counter's value.
	Points map[string]uint64
}

// summaries reads every metric the provider recorded, whatever its scope, by name.
func (m *meters) summaries(t testing.TB) map[string]metricSummary {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := m.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect: %v", err)
	}
	out := map[string]metricSummary{}
	for _, sm := range rm.ScopeMetrics {
		for _, metric := range sm.Metrics {
			s := metricSummary{Unit: metric.Unit, Description: metric.Description, Points: map[string]uint64{}}
			switch data := metric.Data.(type) {
			case metricdata.Histogram[float64]:
				s.Kind = "float64 histogram, " + data.Temporality.String()
				for _, p := range data.DataPoints {
					s.Bounds = p.Bounds
					s.Points[attributeString(p.Attributes)] += p.Count
				}
			case metricdata.Histogram[int64]:
				s.Kind = "int64 histogram, " + data.Temporality.String()
				for _, p := range data.DataPoints {
					s.Bounds = p.Bounds
					s.Points[attributeString(p.Attributes)] += p.Count
				}
			case metricdata.Sum[int64]:
				s.Kind = fmt.Sprintf("int64 sum, monotonic %v, %s", data.IsMonotonic, data.Temporality)
				for _, p := range data.DataPoints {
					s.Points[attributeString(p.Attributes)] += uint64(p.Value)
				}
			default:
				s.Kind = fmt.Sprintf("%T", data)
			}
			out[metric.Name] = s
		}
	}
	return out
}

// total is how many calls (or counts) a metric holds over all its points.
func (s metricSummary) total() uint64 {
	var n uint64
	for _, c := range s.Points {
		n += c
	}
	return n
}

// settled waits until the anchor's metrics named in names hold as many calls as grpcobs' do:
// a stats handler records a call when the transport reports its end, which may come just
// after the caller got its answer; grpcobs records it before. It returns the anchor's
// summaries then, or at the deadline.
func (m *meters) settled(t testing.TB, grpcobs map[string]metricSummary, names []string) map[string]metricSummary {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		anchor := m.summaries(t)
		done := true
		for _, name := range names {
			if anchor[name].total() != grpcobs[name].total() {
				done = false
			}
		}
		if done || time.Now().After(deadline) {
			return anchor
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func attributeString(set attribute.Set) string {
	var parts []string
	for _, kv := range set.ToSlice() {
		parts = append(parts, fmt.Sprintf("%s=%s(%s)", kv.Key, kv.Value.String(), kv.Value.Type()))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// sortedNames are a map's keys, sorted.
func sortedNames(m map[string]metricSummary) []string {
	var names []string
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// splitFields splits an attributeString into its "key=value(TYPE)" fields.
func splitFields(s string) []string { return strings.Fields(s) }

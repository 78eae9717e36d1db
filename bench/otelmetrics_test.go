package bench

import (
	"context"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// durationMetrics are the call-duration histograms each OpenTelemetry metrics configuration
// records, server's and client's.
var durationMetrics = map[string][2]string{
	"grpcobs-otelmetrics": {"rpc.server.call.duration", "rpc.client.call.duration"},
	"anchor-otelmetrics":  {"rpc.server.call.duration", "rpc.client.call.duration"},
	"anchor-grpcmetrics":  {"grpc.server.call.duration", "grpc.client.call.duration"},
}

// TestOtelMetricsConfigsRecordEveryCall checks that each OpenTelemetry metrics configuration
// records every call of every kind on both sides: a benchmark of a stack that silently records
// nothing would measure nothing.
func TestOtelMetricsConfigsRecordEveryCall(t *testing.T) {
	var reader *sdkmetric.ManualReader
	defer func(orig func() sdkmetric.Reader) { newMetricReader = orig }(newMetricReader)
	newMetricReader = func() sdkmetric.Reader {
		reader = sdkmetric.NewManualReader()
		return reader
	}
	for _, cfg := range Configs() {
		names, ok := durationMetrics[cfg.Name]
		if !ok {
			continue
		}
		t.Run(cfg.Name, func(t *testing.T) {
			reader = nil
			_, client := serve(t, cfg, nil)
			if reader == nil {
				t.Fatal("the configuration made no meter provider")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for _, kind := range callKinds {
				if err := kind.call(ctx, client); err != nil {
					t.Fatalf("%s call: %v", kind.name, err)
				}
			}
			for _, name := range names {
				// A stats handler may record a server call just after the client got its answer.
				var got uint64
				for got < uint64(len(callKinds)) && ctx.Err() == nil {
					got = recordedCalls(t, reader, name)
					time.Sleep(time.Millisecond)
				}
				if got != uint64(len(callKinds)) {
					t.Errorf("%s recorded %d calls, want %d", name, got, len(callKinds))
				}
			}
		})
	}
}

// recordedCalls sums the counts of a float64 histogram over its points.
func recordedCalls(t *testing.T, reader *sdkmetric.ManualReader, name string) uint64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect: %v", err)
	}
	var n uint64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if h, ok := m.Data.(metricdata.Histogram[float64]); ok && m.Name == name {
				for _, p := range h.DataPoints {
					n += p.Count
				}
			}
		}
	}
	return n
}

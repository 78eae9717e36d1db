package otelmetrics

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// The attempt metrics carry the call's grpc.target, under the same bound: past the first 64
// targets, an attempt is recorded under "other", as its call is.
func TestA66AttemptTargetsAreBounded(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	c := newCore([]Option{WithMeterProvider(mp), WithA66(), WithAttempts()}, true)
	for i := range maxA66Targets {
		c.targets.value(fmt.Sprintf("dns:///host-%d:443", i))
	}
	cc, err := grpc.NewClient("dns:///one-too-many:443", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	rep, _ := c.start(context.Background(), signal.Call{Meta: echoMeta, Conn: cc})
	e, _ := rep.(*method).StartAttempt(context.Background(), time.Now())
	e.AttemptMade(0, false)
	e.AttemptEnded(nil, time.Now())
	rep.PostCall(nil, time.Millisecond)

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect: %v", err)
	}
	other := attribute.String("grpc.target", "other")
	seen := 0
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var sets []attribute.Set
			switch data := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range data.DataPoints {
					sets = append(sets, p.Attributes)
				}
			case metricdata.Histogram[float64]:
				for _, p := range data.DataPoints {
					sets = append(sets, p.Attributes)
				}
			case metricdata.Histogram[int64]:
				for _, p := range data.DataPoints {
					sets = append(sets, p.Attributes)
				}
			}
			for _, set := range sets {
				seen++
				if v, _ := set.Value(other.Key); v != other.Value {
					t.Errorf("%s {%s}: want grpc.target=other", m.Name, set.Encoded(attribute.DefaultEncoder()))
				}
			}
		}
	}
	if seen != 5 {
		t.Errorf("%d points, want 5 (the call's duration and four attempt metrics)", seen)
	}
}

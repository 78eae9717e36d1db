package metrics_test

import (
	"context"
	"testing"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/prometheus/client_golang/prometheus"
)

// After a method's first call, a call whose span is not sampled costs the metrics no
// allocation, on both sides, for known methods and for an attacker's made-up ones alike.
func TestAnUnsampledCallAllocatesNothing(t *testing.T) {
	server, client := metrics.NewServerMetrics(), metrics.NewClientMetrics()
	for _, tc := range []struct {
		name string
		meta interceptors.CallMeta
	}{
		{"server, known method", mw.NewServerCallMeta("/grpcobs.demo.v1.DemoService/Echo", nil, nil)},
		{"server, unknown method", mw.NewServerCallMeta("/made.up.v1.Service/Method", nil, nil)},
		{"client, known method", mw.NewClientCallMeta("/grpcobs.demo.v1.DemoService/Echo", nil, nil)},
		{"client, unknown method", mw.NewClientCallMeta("/made.up.v1.Service/Method", nil, nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := func(ctx context.Context) interceptors.Reporter {
				rep, _ := client.ClientReporter(ctx, tc.meta)
				return rep
			}
			if !tc.meta.IsClient {
				start = func(ctx context.Context) interceptors.Reporter {
					rep, _ := server.ServerReporter(ctx, tc.meta)
					return rep
				}
			}
			ctx := context.Background()
			allocs := testing.AllocsPerRun(1000, func() {
				rep := start(ctx)
				rep.PostMsgReceive(nil, nil, time.Microsecond)
				rep.PostMsgSend(nil, nil, time.Microsecond)
				rep.PostCall(nil, time.Millisecond)
			})
			if allocs != 0 {
				t.Errorf("%v allocations per call, want 0", allocs)
			}
		})
	}
	for _, c := range []prometheus.Collector{server, client} {
		// started, handled, the two message counters, in flight and the histogram, for the
		// known method and for other.
		if got := collected(c); got != 12 {
			t.Errorf("collected %d series, want 12", got)
		}
	}
}

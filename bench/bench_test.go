package bench

import (
	"context"
	"testing"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
)

// The benchmarks run every configuration over every transport, named
// Benchmark<Kind>/transport=<transport>/config=<config> so that benchstat can put the
// configurations side by side (-col /config). run.sh runs them in interleaved rounds.
//
//	cd bench && go test -run '^$' -bench '^Benchmark(Unary|UnaryParallel|ServerStream|Bidi)$' -benchmem .

// BenchmarkUnary is one Echo call at a time.
func BenchmarkUnary(b *testing.B) { benchmarkEach(b, unaryCall, sequential) }

// BenchmarkUnaryParallel is Echo calls from GOMAXPROCS goroutines at once, on one connection.
func BenchmarkUnaryParallel(b *testing.B) { benchmarkEach(b, unaryCall, parallel) }

// BenchmarkServerStream is one ServerStream call of ten responses at a time.
func BenchmarkServerStream(b *testing.B) { benchmarkEach(b, serverStreamCall, sequential) }

// BenchmarkBidi is one Chat stream of ten round trips at a time.
func BenchmarkBidi(b *testing.B) { benchmarkEach(b, bidiCall, sequential) }

// benchmarkEach measures c, made as run makes it, for every transport and configuration. One
// call before the clock starts connects the client and warms the per-method caches.
func benchmarkEach(b *testing.B, c call, run func(*testing.B, demov1.DemoServiceClient, call)) {
	for _, transport := range transports {
		for _, cfg := range Configs() {
			b.Run("transport="+transport.name+"/config="+cfg.Name, func(b *testing.B) {
				_, client := serve(b, cfg, transport.opts)
				if err := c(context.Background(), client); err != nil {
					b.Fatalf("warm-up call: %v", err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				run(b, client, c)
			})
		}
	}
}

// sequential makes the calls one after the other.
func sequential(b *testing.B, client demov1.DemoServiceClient, c call) {
	ctx := context.Background()
	for b.Loop() {
		if err := c(ctx, client); err != nil {
			b.Fatal(err)
		}
	}
}

// parallel makes the calls from GOMAXPROCS goroutines.
func parallel(b *testing.B, client demov1.DemoServiceClient, c call) {
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c(ctx, client); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

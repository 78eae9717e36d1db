package bench

import (
	"context"
	"flag"
	"runtime"
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

// rotation is where in Configs() the configurations start: run.sh passes the round's number, so
// that over the rounds each configuration runs as often first, just after another benchmark's
// teardown, as any other, instead of bare always.
var rotation = flag.Int("bench.rotate", 0, "start the configurations at the n-th of Configs() (modulo their number)")

// rotated is configs starting at the n-th, wrapping around.
func rotated(configs []Config, n int) []Config {
	n %= len(configs)
	if n < 0 {
		n += len(configs)
	}
	return append(configs[n:len(configs):len(configs)], configs[:n]...)
}

// benchmarkEach measures c, made as run makes it, for every transport and configuration. One
// call before the clock starts connects the client and warms the per-method caches; then a
// garbage collection, so that no configuration pays for the garbage the one before it left.
func benchmarkEach(b *testing.B, c call, run func(*testing.B, demov1.DemoServiceClient, call)) {
	configs := rotated(Configs(), *rotation)
	for _, transport := range transports {
		for _, cfg := range configs {
			b.Run("transport="+transport.name+"/config="+cfg.Name, func(b *testing.B) {
				_, client := serve(b, cfg, transport.opts)
				if err := c(context.Background(), client); err != nil {
					b.Fatalf("warm-up call: %v", err)
				}
				runtime.GC()
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

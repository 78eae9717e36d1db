package bench

import (
	"context"
	"flag"
	"math/rand/v2"
	"runtime/debug"
	"slices"
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

// order picks the order the configurations run in: 0 is Configs()' own, any other number a
// shuffle seeded by it. run.sh passes each round's number, so that over the rounds no
// configuration always runs first, or always right after the same one (after the heaviest,
// bare would inherit its garbage and its memory still held from the system).
var order = flag.Int("bench.order", 0, "0: run the configurations in Configs() order; n: in an order shuffled with seed n")

// ordered is configs in the order seed picks (see order); configs itself is left alone.
func ordered(configs []Config, seed int) []Config {
	out := slices.Clone(configs)
	if seed != 0 {
		r := rand.New(rand.NewPCG(uint64(seed), 0))
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out
}

// benchmarkEach measures c, made as run makes it, for every transport and configuration. One
// call before the clock starts connects the client and warms the per-method caches; then a
// garbage collection that also returns freed memory to the system, so that no configuration
// pays for the garbage, or the heap, the one before it left.
func benchmarkEach(b *testing.B, c call, run func(*testing.B, demov1.DemoServiceClient, call)) {
	configs := ordered(Configs(), *order)
	for _, transport := range transports {
		for _, cfg := range configs {
			b.Run("transport="+transport.name+"/config="+cfg.Name, func(b *testing.B) {
				_, client := serve(b, cfg, transport.opts)
				if err := c(context.Background(), client); err != nil {
					b.Fatalf("warm-up call: %v", err)
				}
				debug.FreeOSMemory()
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

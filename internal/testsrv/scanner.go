package testsrv

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
)

// scannerWorkers is how many goroutines CallRandomMethods calls from at once.
const scannerWorkers = 4

// CallRandomMethods makes n unary calls with an EchoRequest to random methods (RandomMethod)
// on conn, from a few goroutines at once, as a scanner would: the cardinality tests' attack.
// The names come from seed: give each round of an attack its own. Every call must succeed
// (serve EchoAnything as the unknown-service handler); the test fails at the first that does
// not.
func CallRandomMethods(t testing.TB, ctx context.Context, conn grpc.ClientConnInterface, seed uint64, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range scannerWorkers {
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		calls := n / scannerWorkers
		if w < n%scannerWorkers {
			calls++
		}
		wg.Go(func() {
			for range calls {
				var resp demov1.EchoResponse
				if err := conn.Invoke(ctx, RandomMethod(rng), &demov1.EchoRequest{Message: "x"}, &resp); err != nil {
					t.Errorf("random method: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

// HeapAfterGC is the live heap, measured after collecting garbage twice (the second cycle
// frees what finalizers of the first released): what a test compares before and after an
// attack to see that the process kept nothing of it.
func HeapAfterGC() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

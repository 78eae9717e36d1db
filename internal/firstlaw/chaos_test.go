package firstlaw_test

import (
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/internal/firstlaw"
	"go.opentelemetry.io/otel/trace"
)

// Defaults of a bounded run (make test): a fixed seed, so that the run is the same every time.
// `make chaos` sets CHAOS_SEED (random unless given) and CHAOS_CALLS for a long run.
const (
	defaultChaosSeed  = 1
	defaultChaosCalls = 240
	// chaosWorkers is how many rounds run at once: a round spends most of its time waiting.
	chaosWorkers = 4
)

// TestChaos is the chaos differential: seeded random rounds of calls of the four kinds, with
// cancels, deadlines, abandoned streams, refused and retried attempts (a retry policy,
// transparent retries, go-grpc-middleware's retry interceptors inside the stack), GOAWAY,
// servers stopped, restarted or down at the start, and connections closed mid-call. Each
// round runs bare and with the full stack on both sides; chaos_compare_test.go says what is
// compared, chaos_invariants_test.go what must hold of the instrumented run.
func TestChaos(t *testing.T) {
	seed, calls := chaosEnv(t, "CHAOS_SEED", defaultChaosSeed), chaosEnv(t, "CHAOS_CALLS", defaultChaosCalls)
	t.Logf("chaos: CHAOS_SEED=%d CHAOS_CALLS=%d", seed, calls)
	var figures chaosFigures
	rounds := make(chan chaosRound)
	var workers sync.WaitGroup
	for range chaosWorkers {
		workers.Go(func() {
			for r := range rounds {
				t.Run("round "+strconv.Itoa(r.index), func(t *testing.T) {
					t.Cleanup(func() {
						if t.Failed() {
							figures.failed.Add(1)
							t.Logf("reproduce with CHAOS_SEED=%d CHAOS_CALLS=%d; the failing %s", seed, calls, r)
						}
					})
					runChaosRound(t, r, &figures)
				})
			}
		})
	}
	for _, r := range planRounds(uint64(seed), int(calls)) {
		rounds <- r
	}
	close(rounds)
	workers.Wait()
	t.Logf("chaos: seed %d, %d calls in %d rounds (%d compared exactly, %d timing-decided), %d attempts reached a handler; instrumented: spans started %d, ended %d; mismatches %d; rounds failing %d; attempt spans %d (transparent retries %d, abandoned %d)",
		seed, figures.calls.Load(), (calls+callsPerRound-1)/callsPerRound, figures.exact.Load(), figures.timed.Load(),
		figures.attempts.Load(), figures.started.Load(), figures.ended.Load(), figures.mismatches.Load(), figures.failed.Load(),
		figures.attemptSpans.Load(), figures.transparent.Load(), figures.abandoned.Load())
}

// chaosFigures are a run's totals, for its report.
type chaosFigures struct {
	calls, exact, timed, attempts, started, ended, mismatches, failed atomic.Int64
	// Attempt spans, and of them those of transparent retries and of attempts grpc-go
	// abandoned: they show that the mix reaches those paths.
	attemptSpans, transparent, abandoned atomic.Int64
}

// countAttempts counts the instrumented run's attempt spans.
func (f *chaosFigures) countAttempts(o *firstlaw.Observers) {
	for _, s := range o.Spans.Ended() {
		if firstlaw.ClientSide.IsCallSpan(s) || s.SpanKind() != trace.SpanKindClient {
			continue
		}
		f.attemptSpans.Add(1)
		for _, kv := range s.Attributes() {
			switch {
			case kv.Key == "transparent-retry" && kv.Value.AsBool():
				f.transparent.Add(1)
			case kv.Key == "grpcobs.attempt.abandoned" && kv.Value.AsBool():
				f.abandoned.Add(1)
			}
		}
	}
}

func (f *chaosFigures) add(started, ended int) {
	f.started.Add(int64(started))
	f.ended.Add(int64(ended))
}

// chaosEnv reads a non-negative integer from the environment, or returns def.
func chaosEnv(t *testing.T, name string, def int64) int64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a non-negative integer", name, v)
	}
	return n
}

// chaosRun is what one run of a round observed: each call's result, and the attempts of each
// call that reached the handler.
type chaosRun struct {
	results  []callResult
	attempts map[int]int
}

func runChaosRound(t *testing.T, r chaosRound, figures *chaosFigures) {
	var bare, instrumented chaosRun
	t.Run("bare", func(t *testing.T) { bare = runChaosWorld(t, r, false, figures) })
	t.Run("grpcobs", func(t *testing.T) { instrumented = runChaosWorld(t, r, true, figures) })
	if bare.results == nil || instrumented.results == nil {
		return // a run failed before its calls were made
	}
	figures.mismatches.Add(int64(compareChaos(t, r, bare, instrumented, figures)))
}

// runChaosWorld runs a round in a world of its own and, when instrumented, checks the
// invariants on what the stack recorded.
func runChaosWorld(t *testing.T, r chaosRound, instrumented bool, figures *chaosFigures) chaosRun {
	w := newChaosWorld(t, r, instrumented)
	if r.downFor == 0 || r.disruption == disRestart {
		w.start()
		// Connect before the calls start, so that their deadlines count from a ready channel
		// in both runs; under GOAWAY the connection may be gone again before it is seen
		// ready, and every call of the round is timing-decided anyway.
		if r.goaway == nil {
			w.ready()
		}
	}
	started := time.Now()
	var wg sync.WaitGroup
	wg.Go(func() {
		if r.downFor > 0 && r.disruption != disRestart {
			time.Sleep(r.downFor)
			w.start()
		}
		w.disrupt(r, started)
	})
	results := make([]callResult, len(r.calls))
	for i, c := range r.calls {
		wg.Go(func() {
			time.Sleep(time.Until(started.Add(c.start)))
			results[i] = runChaosCall(t, w, r, c)
		})
	}
	wg.Wait()
	if instrumented {
		// The client side first, before the shutdown closes the connection, which would end
		// attempts that grpc-go abandoned.
		w.obs.ExpectRecords(t, firstlaw.ClientSide, codesOf(results))
		if t.Failed() {
			for i, res := range results {
				t.Logf("call %d's caller got %s (%q)", r.calls[i].index, res.Code, res.Message)
			}
		}
		figures.add(expectSpansEnded(t, w.obs, trace.SpanKindClient, trace.SpanKindInternal))
		figures.countAttempts(w.obs)
	}
	// A server may still start a handler for an attempt its client gave up on: the shutdown
	// waits for every handler, and lets no more start.
	w.shutdown()
	if err := w.svc.waitAllReturned(testContext(t)); err != nil {
		t.Fatalf("waiting for the handlers to return: %v", err)
	}
	attempts, _ := w.svc.seen()
	if instrumented {
		w.obs.ExpectRecords(t, firstlaw.ServerSide, w.handlerCodes())
		figures.add(expectSpansEnded(t, w.obs, trace.SpanKindServer))
	} else {
		figures.calls.Add(int64(len(results)))
		figures.attempts.Add(int64(attempts))
	}
	return chaosRun{results: results, attempts: w.callAttempts()}
}

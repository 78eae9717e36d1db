package interceptors

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
)

// The attempt-machine explorer: seeded random calls, each a sequence of stats events as
// grpc-go v1.85's clientStream emits them (simCall plays withRetry, retryLocked and
// shouldRetry of stream.go), fed to the real stats handler, and checked against what
// grpc-go really did. A failing schedule prints its seed; -attempts.seed reruns that one.

var exploreSeed = flag.Uint64("attempts.seed", 0, "run only this seed of TestAttemptMachineExplorer")

const exploreSchedules = 3000

func TestAttemptMachineExplorer(t *testing.T) {
	seeds := make([]uint64, 0, exploreSchedules)
	if *exploreSeed != 0 {
		seeds = append(seeds, *exploreSeed)
	} else {
		for i := range uint64(exploreSchedules) {
			seeds = append(seeds, 0x5eed0000+i)
		}
	}
	failures := 0
	covered := map[string]int{}
	for _, seed := range seeds {
		problems, seen := exploreOnce(seed)
		for what := range seen {
			covered[what]++
		}
		if len(problems) > 0 {
			failures++
			t.Errorf("seed %d (rerun: go test ./interceptors/ -run TestAttemptMachineExplorer -attempts.seed=%d):\n%s\nevents:\n%s",
				seed, seed, problems[0], simDescribe(seed))
			if failures >= 3 {
				t.Fatalf("stopping after %d failing seeds", failures)
			}
		}
	}
	if *exploreSeed != 0 {
		return
	}
	// The schedules cover every case grpc-go can make.
	for _, what := range simCases {
		if covered[what] == 0 {
			t.Errorf("no schedule had %s", what)
		}
	}
	t.Logf("%d schedules; schedules per case: %v", len(seeds), covered)
}

// The cases a schedule may have.
const (
	caseAbandoned       = "an abandoned attempt"
	caseAbandonedAtEnd  = "an attempt still provisional at the call's end"
	caseTransparent     = "a transparent retry"
	caseTransparentLost = "a transparent retry whose first attempt grpc-go abandoned"
	caseNoHeaders       = "an attempt ended before sending its headers"
	caseTwoCalls        = "two grpc-go calls in one call of the stack"
	caseEndRacesCallEnd = "an End racing the call's end"
	caseHeaderRacesEnd  = "an End racing the attempt's OutHeader"
	casePayloads        = "payloads received concurrently"
)

var simCases = []string{caseAbandoned, caseAbandonedAtEnd, caseTransparent, caseTransparentLost, caseNoHeaders, caseTwoCalls, caseEndRacesCallEnd, caseHeaderRacesEnd, casePayloads}

// simAttempt is one attempt grpc-go created, and what it did with it.
type simAttempt struct {
	id          int
	orphan      bool // replaced before it was made: no OutHeader, no End
	headers     bool // OutHeader sent
	ended       bool
	err         error
	previous    int  // grpc-go's numRetries when it ran the attempt
	transparent bool // the retry that led to it was transparent
}

// simEvent is one event of the schedule, for the failure message.
type simEvent struct {
	attempt int
	what    string
}

// simCall plays one call of the stack: one grpc-go call, or two when an interceptor inside
// the stack retries with a new one, each with its own context, as grpc-go makes.
type simCall struct {
	rng      *rand.Rand
	h        *attemptHandler
	attempts []*simAttempt
	events   []simEvent
	wg       sync.WaitGroup
	seen     map[string]bool // the cases of simCases the schedule had
}

type simIDKey struct{}

func (s *simCall) log(a *simAttempt, what string) {
	s.events = append(s.events, simEvent{a.id, what})
}

// newAttempt plays newAttemptLocked: TagRPC, then Begin.
func (s *simCall) newAttempt(ctx context.Context, transparent bool) (*simAttempt, context.Context) {
	a := &simAttempt{id: len(s.attempts) + 1}
	s.attempts = append(s.attempts, a)
	actx := s.h.TagRPC(context.WithValue(ctx, simIDKey{}, a.id), &stats.RPCTagInfo{FullMethodName: "/s.S/M"})
	s.log(a, "TagRPC")
	s.h.HandleRPC(actx, &stats.Begin{Client: true, IsTransparentRetryAttempt: transparent})
	s.log(a, fmt.Sprintf("Begin transparent=%v", transparent))
	return a, actx
}

var (
	errPick        = status.Error(codes.Unavailable, "no connection")
	errRetryable   = status.Error(codes.Unavailable, "server unavailable")
	errUnprocessed = status.Error(codes.Unavailable, "REFUSED_STREAM")
	errFatal       = status.Error(codes.NotFound, "no such thing")
)

// grpcCall plays one grpc-go clientStream of the call, until it ends.
func (s *simCall) grpcCall(parent context.Context, last bool) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	maxAttempts := 2 + s.rng.IntN(4)
	numRetries, firstAttempt, buffered := 0, true, false
	a, actx := s.newAttempt(ctx, false)
	for made := 1; ; made++ {
		a.previous = numRetries
		// The first op: getTransport, then newStream.
		var err error
		allowTransparent, unprocessed := false, false
		switch r := s.rng.IntN(10); {
		case r < 2:
			err = errPick
		case r < 3:
			err, allowTransparent = errPick, true // NewStreamError{AllowTransparentRetry}
		default:
			a.headers, buffered = true, true
		}
		if a.headers {
			switch r := s.rng.IntN(10); {
			case r < 4:
				err = nil
			case r < 7:
				err = errRetryable
			case r < 8:
				err, unprocessed = errUnprocessed, true
			default:
				err = errFatal
			}
			s.sendHeadersAndEnd(a, actx, err, last)
		} else {
			s.end(a, actx, err)
		}
		if !a.headers {
			s.seen[caseNoHeaders] = true
		}
		if err == nil || made >= 8 {
			return
		}
		// shouldRetry.
		transparent := false
		switch {
		case !a.headers && allowTransparent, a.headers && unprocessed && firstAttempt:
			transparent = true
		case err == errFatal, numRetries+1 >= maxAttempts, s.rng.IntN(20) == 0:
			return // not retryable, exhausted, or the caller's context ended in the backoff
		default:
			numRetries++
		}
		firstAttempt = false
		next, nctx := s.newAttempt(ctx, transparent) // retryLocked
		next.transparent = transparent
		if transparent {
			s.seen[caseTransparent] = true
		}
		if !buffered {
			// The replay buffer is empty: withRetry creates yet another attempt, unless the
			// caller's context ended just now.
			next.orphan = true
			s.seen[caseAbandoned] = true
			if transparent {
				s.seen[caseTransparentLost] = true
			}
			if s.rng.IntN(10) == 0 {
				s.seen[caseAbandonedAtEnd] = true
				return
			}
			next, nctx = s.newAttempt(ctx, false)
			next.transparent = transparent
		}
		a, actx = next, nctx
	}
}

// sendHeadersAndEnd plays an attempt that sent its headers: OutHeader, payloads (received on
// another goroutine), and End with err, which may race the OutHeader (the stream's context
// watcher) or, on the call's last attempt, the stack's end of the call.
func (s *simCall) sendHeadersAndEnd(a *simAttempt, actx context.Context, err error, last bool) {
	var header, wg sync.WaitGroup
	if s.rng.IntN(4) == 0 {
		// The context watcher finishes the attempt while it sends its headers.
		header.Go(func() { s.h.HandleRPC(actx, &stats.OutHeader{Client: true}) })
		s.seen[caseHeaderRacesEnd] = true
	} else {
		s.h.HandleRPC(actx, &stats.OutHeader{Client: true})
	}
	s.log(a, "OutHeader")
	n := s.rng.IntN(3)
	if n > 0 {
		s.seen[casePayloads] = true
	}
	wg.Go(func() {
		for range n {
			s.h.HandleRPC(actx, &stats.InPayload{Client: true, CompressedLength: 3})
		}
	})
	for range n {
		s.h.HandleRPC(actx, &stats.OutPayload{Client: true, CompressedLength: 5})
	}
	if last && err == nil && s.rng.IntN(3) == 0 {
		// grpc-go sends the headers before the call can end; only End may race it here.
		header.Wait()
		a.ended, a.err = true, err
		s.log(a, "End (racing the call's end)")
		s.seen[caseEndRacesCallEnd] = true
		s.wg.Go(func() {
			wg.Wait()
			s.h.HandleRPC(actx, &stats.End{Client: true, Error: err, EndTime: time.Now()})
		})
		return
	}
	s.end(a, actx, err)
	header.Wait()
	wg.Wait()
}

func (s *simCall) end(a *simAttempt, actx context.Context, err error) {
	a.ended, a.err = true, err
	s.h.HandleRPC(actx, &stats.End{Client: true, Error: err, EndTime: time.Now()})
	s.log(a, fmt.Sprintf("End %v", status.Code(err)))
}

// probe is a signal's reporter that records what each attempt was told.
type probe struct {
	mu       sync.Mutex
	attempts map[int]*probed
}

type probed struct {
	started              int
	made, ended, dropped int
	previous             int
	transparent          bool
	order                []string
}

func (p *probe) StartAttempt(ctx context.Context, _ time.Time) (signal.AttemptEnder, context.Context) {
	id, _ := ctx.Value(simIDKey{}).(int)
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.attempts[id]
	if a == nil {
		a = &probed{}
		p.attempts[id] = a
	}
	a.started++
	return &probeEnder{p: p, a: a}, ctx
}

type probeEnder struct {
	p *probe
	a *probed
}

func (e *probeEnder) AttemptMade(previous int, transparent bool) {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	e.a.made++
	e.a.previous, e.a.transparent = previous, transparent
	e.a.order = append(e.a.order, "made")
}

func (e *probeEnder) AttemptEnded(error, time.Time) {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	e.a.ended++
	e.a.order = append(e.a.order, "ended")
}

func (e *probeEnder) AttemptAbandoned(time.Time) {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	e.a.dropped++
	e.a.order = append(e.a.order, "abandoned")
}

func (e *probeEnder) AttemptPayload(bool, int) {}

// runSchedule plays the call of seed through a stack's handler and record, and returns what
// grpc-go did, what the probe was told and the record.
func runSchedule(seed uint64) (*simCall, *probe, *callAttempts) {
	h := &attemptHandler{}
	p := &probe{attempts: map[int]*probed{}}
	rec := newCallAttempts(h)
	rec.reporters = append(rec.reporters, p)
	s := &simCall{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), h: h, seen: map[string]bool{}}
	ctx := withCallAttempts(context.Background(), rec)
	calls := 1
	if s.rng.IntN(8) == 0 {
		calls = 2 // an interceptor inside the stack retries with a new grpc-go call
		s.seen[caseTwoCalls] = true
	}
	for i := range calls {
		s.grpcCall(ctx, i == calls-1)
	}
	rec.end() // the stack ends the call, perhaps while a last End is on its way
	s.wg.Wait()
	return s, p, rec
}

// exploreOnce runs seed's schedule and returns what broke the invariants, and the cases the
// schedule had.
func exploreOnce(seed uint64) ([]string, map[string]bool) {
	s, p, rec := runSchedule(seed)
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var wantFailed []codes.Code
	made := 0
	for _, a := range s.attempts {
		got := p.attempts[a.id]
		if got == nil || got.started != 1 {
			bad("attempt %d: started %v times, want once", a.id, got)
			continue
		}
		if terminal := got.ended + got.dropped; terminal != 1 {
			bad("attempt %d: its span would be ended %d times (%v), want exactly once", a.id, terminal, got.order)
			continue
		}
		if a.orphan {
			if got.dropped != 1 || got.made != 0 {
				bad("attempt %d: grpc-go abandoned it, but the signals were told %v", a.id, got.order)
			}
			continue
		}
		made++
		if a.ended && a.err != nil {
			wantFailed = append(wantFailed, Code(a.err))
		}
		if !slices.Equal(got.order, []string{"made", "ended"}) {
			bad("attempt %d: grpc-go made and ended it, but the signals were told %v", a.id, got.order)
			continue
		}
		if got.previous != a.previous {
			bad("attempt %d: previous-rpc-attempts %d, but grpc-go sent grpc-previous-rpc-attempts %d", a.id, got.previous, a.previous)
		}
		if got.transparent != a.transparent {
			bad("attempt %d: transparent %v, but the retry was transparent=%v", a.id, got.transparent, a.transparent)
		}
	}
	count, failed := rec.Attempts()
	if count != made {
		bad("the record counts %d attempts, grpc-go made %d", count, made)
	}
	if !slices.Equal(failed, wantFailed) {
		bad("the record's failed codes are %v, grpc-go's failed attempts ended %v", failed, wantFailed)
	}
	return problems, s.seen
}

// simDescribe replays seed's schedule and renders grpc-go's events, for a failure message.
func simDescribe(seed uint64) string {
	s, _, _ := runSchedule(seed)
	var out string
	for _, e := range s.events {
		out += fmt.Sprintf("  attempt %d: %s\n", e.attempt, e.what)
	}
	return out
}

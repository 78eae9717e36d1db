package interceptors

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/stats"
)

// Attempts: grpc-go retries a call itself, so an interceptor sees one call and a stats
// handler each attempt. When a signal of a client stack wants attempts, DialOptions installs
// attemptHandler; the interceptor puts the call's record (callAttempts) into the context it
// hands to grpc-go, where the handler finds it, feeds the call's attempt machine
// (attempt_machine.go) and tells the signals what it decides. What grpc-go emits per attempt,
// and why the record is complete at PostCall: docs/DESIGN.md, "Attempt lifecycle".

// attemptHandler is the client stats.Handler DialOptions installs when a signal wants
// attempts. It handles only the calls of its own stack (the context keys carry the handler),
// so two stacks dialled on one connection do not count each other's attempts.
type attemptHandler struct {
	// payloads says some ender of this stack wants the attempts' payload sizes
	// (signal.AttemptPayloadEnder); until one does, payload events cost one atomic load. It
	// also gives each handler an address of its own (pointers to distinct zero-size values
	// may compare equal).
	payloads atomic.Bool
}

var _ stats.Handler = (*attemptHandler)(nil)

// callAttemptsKey is the context key of a call's record for the stack whose handler is owner:
// with two stacks chained on one connection, each finds its own record, the inner one's
// does not hide the outer one's.
type callAttemptsKey struct{ owner *attemptHandler }

// attemptKey is the context key of one attempt, in the context TagRPC returns, for the stack
// whose handler is owner.
type attemptKey struct{ owner *attemptHandler }

// callAttempts is one call's record: the reporters that want its attempts, and the call's
// attempt machine. It is a signal.AttemptRecord.
type callAttempts struct {
	owner     *attemptHandler
	inline    [maxInlineReporters]signal.AttemptReporter
	reporters []signal.AttemptReporter

	mu      sync.Mutex
	machine attemptMachine
}

var _ signal.AttemptRecord = (*callAttempts)(nil)

func newCallAttempts(owner *attemptHandler) *callAttempts {
	r := &callAttempts{owner: owner}
	r.reporters = r.inline[:0]
	return r
}

// Attempts returns how many attempts grpc-go made, and the codes of those that failed.
func (r *callAttempts) Attempts() (int, []codes.Code) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.machine.made, slices.Clone(r.machine.failed)
}

// end is the end of the call of the stack: an attempt still provisional is abandoned, and so
// is any attempt created after. A nil record does nothing.
func (r *callAttempts) end() {
	if r == nil {
		return
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.machine.close(func(a *attempt) { a.abandon(now) })
}

// attempt is one attempt of a call: its lifecycle state, and the enders of the signals that
// follow it.
type attempt struct {
	call   *callAttempts
	run    attemptRun // guarded by call.mu
	inline [maxInlineReporters]signal.AttemptEnder
	enders []signal.AttemptEnder
	// payloads are the enders that want payload sizes (signal.AttemptPayloadEnder); nil for
	// most attempts.
	payloads []signal.AttemptPayloadEnder
}

// abandon tells the enders grpc-go abandoned the attempt, at.
func (a *attempt) abandon(at time.Time) {
	for _, e := range a.enders {
		e.AttemptAbandoned(at)
	}
}

// made tells the enders grpc-go made the attempt.
func (a *attempt) made(m madeAttempt) {
	for _, e := range a.enders {
		e.AttemptMade(m.previous, m.transparent)
	}
}

// TagRPC starts each signal's report of a new attempt of a call of this handler's stack;
// any other call's context is returned as it is. The attempt supersedes its grpc-go call's
// provisional one, which grpc-go abandoned.
func (h *attemptHandler) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context {
	rec, ok := ctx.Value(callAttemptsKey{h}).(*callAttempts)
	if !ok {
		return ctx
	}
	start := time.Now()
	a := &attempt{call: rec}
	a.enders = a.inline[:0]
	key := ctx.Done()
	for _, r := range rec.reporters {
		var e signal.AttemptEnder
		e, ctx = r.StartAttempt(ctx, start)
		a.enders = append(a.enders, e)
		if p, ok := e.(signal.AttemptPayloadEnder); ok {
			a.payloads = append(a.payloads, p)
		}
	}
	if a.payloads != nil && !h.payloads.Load() {
		h.payloads.Store(true)
	}
	rec.mu.Lock()
	superseded, abandonNow := rec.machine.tag(a, key)
	if superseded != nil {
		superseded.abandon(start)
	}
	if abandonNow {
		a.abandon(start)
	}
	rec.mu.Unlock()
	return context.WithValue(ctx, attemptKey{h}, a)
}

// HandleRPC feeds the attempt machine grpc-go's Begin, OutHeader and End of an attempt, and
// gives, to the enders that want them, the compressed size of each message it sends and
// receives; every other event, and payload events while no ender of the stack wants them,
// is ignored before any lookup.
func (h *attemptHandler) HandleRPC(ctx context.Context, s stats.RPCStats) {
	switch s := s.(type) {
	case *stats.OutPayload:
		h.payload(ctx, true, s.CompressedLength)
	case *stats.InPayload:
		h.payload(ctx, false, s.CompressedLength)
	case *stats.Begin:
		if a := h.attemptOf(ctx); a != nil {
			a.call.mu.Lock()
			a.call.machine.began(a, s.IsTransparentRetryAttempt)
			a.call.mu.Unlock()
		}
	case *stats.OutHeader:
		if a := h.attemptOf(ctx); a != nil {
			a.call.mu.Lock()
			if m, ok := a.call.machine.make(a); ok {
				a.made(m)
			}
			a.call.mu.Unlock()
		}
	case *stats.End:
		if a := h.attemptOf(ctx); a != nil {
			code := Code(s.Error)
			a.call.mu.Lock()
			m, madeNow, ended := a.call.machine.end(a, s.Error != nil, code)
			if madeNow {
				a.made(m)
			}
			if ended {
				for _, e := range a.enders {
					e.AttemptEnded(s.Error, s.EndTime)
				}
			}
			a.call.mu.Unlock()
		}
	}
}

// payload gives the size of one message the attempt of ctx sent (or received) to the enders
// that want it.
func (h *attemptHandler) payload(ctx context.Context, sent bool, compressedLength int) {
	if !h.payloads.Load() {
		return
	}
	if a := h.attemptOf(ctx); a != nil {
		for _, p := range a.payloads {
			p.AttemptPayload(sent, compressedLength)
		}
	}
}

// attemptOf returns the attempt of this handler's stack that ctx belongs to, or nil.
func (h *attemptHandler) attemptOf(ctx context.Context) *attempt {
	if a, ok := ctx.Value(attemptKey{h}).(*attempt); ok {
		return a
	}
	return nil
}

// TagConn returns ctx: connections are not followed.
func (*attemptHandler) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}

// HandleConn does nothing.
func (*attemptHandler) HandleConn(context.Context, stats.ConnStats) {}

package interceptors

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/internal/knownmethods"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"google.golang.org/grpc"
)

// serverReportables is a server stack's reportables, resolved once when the stack is built:
// nils dropped, grpcobs' own signals put in the order they need, and each one's way of
// starting a call looked up.
type serverReportables struct {
	resolver *signal.Resolver // the stack's one known-method set and one cache
	all      []ServerReportable
	starters []signal.StartFunc // starters[i] starts a call with all[i]: see starters
	timer    messageTimer
}

func newServerReportables(in []ServerReportable, known *knownmethods.Set) serverReportables {
	all := orderSignals(withoutNil(in))
	mustShareStatusPolicy("ServerOptions", all)
	return serverReportables{resolver: signal.NewResolver(known, len(all)), all: all, timer: newMessageTimer(all),
		starters: starters(all, known, func(h signal.Hooks) signal.StartFunc { return h.Server },
			func(r ServerReportable) signal.StartFunc {
				return func(ctx context.Context, c signal.Call) (Reporter, context.Context) {
					return r.ServerReporter(ctx, c.Meta)
				}
			})}
}

// starters returns how the stack starts a call with each reportable: a grpcobs signal's
// StartFunc for the stack's side, else the reportable's public Reporter method (public). Each
// grpcobs signal that asks for it is given the stack's known-method set.
func starters[T any](all []T, known *knownmethods.Set, side func(signal.Hooks) signal.StartFunc, public func(T) signal.StartFunc) []signal.StartFunc {
	out := make([]signal.StartFunc, len(all))
	for i, rep := range all {
		out[i] = public(rep)
		if h, ok := signal.Of(rep); ok {
			if start := side(h); start != nil {
				out[i] = start
			}
			if h.UseKnown != nil {
				h.UseKnown(known)
			}
		}
	}
	return out
}

// start starts every reportable's reporting of a server call, in order, each seeing the
// context the previous one derived, and appends the reporters that record it to reps.
func (r *serverReportables) start(reps []Reporter, ctx context.Context, meta CallMeta, start time.Time, registered bool) ([]Reporter, context.Context) {
	call := signal.Call{Meta: meta, Start: start}
	call.Method, call.Known = r.resolver.Resolve(meta, nil, registered)
	for i, s := range r.starters {
		var rep Reporter
		call.Slot = i
		rep, ctx = s(ctx, call)
		if !signal.IsNoop(rep) {
			reps = append(reps, rep)
		}
	}
	return reps, ctx
}

// clientReportables is serverReportables' twin for a client stack.
type clientReportables struct {
	resolver *signal.Resolver // the stack's one known-method set and one cache
	all      []ClientReportable
	starters []signal.StartFunc
	timer    messageTimer
	// wantsAttempts[i] says all[i] is a grpcobs signal that wants attempts
	// (signal.Traits.WantsAttempts); anyAttempts that one does.
	wantsAttempts []bool
	anyAttempts   bool
	// attempts is the stats handler DialOptions installed for this stack, when a signal wants
	// attempts; nil otherwise, and then no call records its attempts.
	attempts *attemptHandler
}

func newClientReportables(in []ClientReportable) clientReportables {
	return newClientStack(in, knownmethods.New(nil, 0))
}

// newClientStack is newClientReportables with the stack's known-method set.
func newClientStack(in []ClientReportable, known *knownmethods.Set) clientReportables {
	all := orderSignals(withoutNil(in))
	mustShareStatusPolicy("DialOptions", all)
	r := clientReportables{resolver: signal.NewResolver(known, len(all)), all: all, timer: newMessageTimer(all), wantsAttempts: make([]bool, len(all)),
		starters: starters(all, known, func(h signal.Hooks) signal.StartFunc { return h.Client },
			func(r ClientReportable) signal.StartFunc {
				return func(ctx context.Context, c signal.Call) (Reporter, context.Context) {
					return r.ClientReporter(ctx, c.Meta)
				}
			})}
	for i, rep := range all {
		if h, ok := signal.Of(rep); ok && h.Traits.WantsAttempts {
			r.wantsAttempts[i], r.anyAttempts = true, true
		}
	}
	return r
}

// start starts every reportable's reporting of a client call on cc, as serverReportables.start.
// When the stack records attempts, it returns the call's record too (nil otherwise), holding
// the reporters that want attempts; the caller puts it into the context it hands to grpc-go
// (withCallAttempts).
func (r *clientReportables) start(reps []Reporter, ctx context.Context, meta CallMeta, start time.Time, cc *grpc.ClientConn) ([]Reporter, context.Context, *callAttempts) {
	call := signal.Call{Meta: meta, Start: start, Conn: cc}
	call.Method, call.Known = r.resolver.Resolve(meta, cc, false)
	var rec *callAttempts
	if r.attempts != nil {
		rec = newCallAttempts(r.attempts)
		call.Attempts = rec
	}
	for i, s := range r.starters {
		var rep Reporter
		call.Slot = i
		rep, ctx = s(ctx, call)
		if signal.IsNoop(rep) {
			continue
		}
		reps = append(reps, rep)
		if rec != nil && r.wantsAttempts[i] {
			if ar, ok := rep.(signal.AttemptReporter); ok {
				rec.reporters = append(rec.reporters, ar)
			}
		}
	}
	return reps, ctx, rec
}

// withCallAttempts puts a call's record into the context handed to grpc-go, where the stack's
// stats handler finds it; ctx is returned as it is when there is no record.
func withCallAttempts(ctx context.Context, rec *callAttempts) context.Context {
	if rec == nil {
		return ctx
	}
	return context.WithValue(ctx, callAttemptsKey{rec.owner}, rec)
}

// orderSignals puts grpcobs' own signals in the order they need (signal.Rank: tracing first,
// so that the others find the span and the baggage in the context; logging last), whatever
// order they came in. They take the positions grpcobs signals held in the input, so every
// other reportable keeps its position, and its order relative to the others.
func orderSignals[T any](in []T) []T {
	var slots []int
	var signals []T
	for i, r := range in {
		if _, ok := signal.Of(r); ok {
			slots = append(slots, i)
			signals = append(signals, r)
		}
	}
	slices.SortStableFunc(signals, func(a, b T) int {
		return int(rankOf(a)) - int(rankOf(b))
	})
	out := slices.Clone(in)
	for i, slot := range slots {
		out[slot] = signals[i]
	}
	return out
}

func rankOf(r any) signal.Rank {
	h, _ := signal.Of(r)
	return h.Traits.Rank
}

// mustShareStatusPolicy panics when grpcobs signals of one stack follow different status
// policies: a span and its log line would then disagree on whether the call failed. It is a
// mistake in the program's wiring, found when the stack is built, before any call.
func mustShareStatusPolicy[T any](stack string, reportables []T) {
	var first any
	var firstType string
	for _, r := range reportables {
		h, ok := signal.Of(r)
		if !ok {
			continue
		}
		policy := h.Traits.StatusPolicy
		if policy == nil {
			continue
		}
		if first == nil {
			first, firstType = policy, fmt.Sprintf("%T", r)
			continue
		}
		// StatusPolicy's == compares what policies decide: StatusPolicy{} is the default.
		if policy != first {
			how := fmt.Sprintf("%v; %v", first, policy)
			if p, ok := first.(StatusPolicy); ok {
				if q, ok := policy.(StatusPolicy); ok {
					how = p.diff(firstType, q, fmt.Sprintf("%T", r))
				}
			}
			panic(fmt.Sprintf("interceptors.%s: %s and %T follow different status policies (%s): give every signal the same interceptors.StatusPolicy",
				stack, firstType, r, how))
		}
	}
}

// newMessageTimer returns the timer of a stack of reportables: on unless each one is a grpcobs
// signal that ignores message durations.
func newMessageTimer[T any](reportables []T) messageTimer {
	for _, r := range reportables {
		if h, ok := signal.Of(r); !ok || !h.Traits.IgnoresMessageDurations {
			return true
		}
	}
	return false
}

// withoutNil drops nil reportables, typed nil pointers included, so that a nil input is
// ignored at construction instead of panicking on the first call.
func withoutNil[T any](in []T) []T {
	out := make([]T, 0, len(in))
	for _, v := range in {
		if !isNil(v) {
			out = append(out, v)
		}
	}
	return out
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// Package filter is the one vocabulary in which grpcobs' signals are told which calls to
// record: a Filter is a predicate on a Call, the same type for tracing and logging, with one
// set of combinators (All, Any, Not) and of selectors (Services, Methods, HealthChecks) and
// grpcobs' outcome-aware filters (Failed, SampleSuccesses, HealthChecksOnlyOnFailure).
//
// A signal asks its filters when it decides: tracing at the call's start, before the outcome
// is known (Finished is false), logging at each line. Given several times to one signal,
// WithFilter keeps a call only when every filter keeps it.
//
// The metrics, the OpenTelemetry metrics and the status page take no filter: they aggregate,
// and the rates, ratios and objectives computed from them must count every call.
package filter

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"google.golang.org/grpc/codes"
)

// Call is what a Filter sees of a call: what it is and, once it is finished, its outcome.
type Call struct {
	// Context is the call's context: on a client the caller's, on a server the incoming one
	// with what tracing extracted from a trusted caller (its span context and baggage).
	Context context.Context
	// Service is the full service name, for example "grpc.health.v1.Health".
	Service string
	// Method is the method name, for example "Check".
	Method string
	// Type is the call's kind: unary, client_stream, server_stream or bidi_stream.
	Type interceptors.GRPCType
	// IsClient is true on a client, false on a server.
	IsClient bool
	// Finished is true once the call has ended (logging's finish line); false before
	// (tracing's decision, logging's start and message lines).
	Finished bool
	// Code is the code the call ended with (OK until it is finished).
	Code codes.Code
	// Err is the error the call ended with (nil for OK, and until it is finished).
	Err error
	// Duration is how long the call took (zero until it is finished).
	Duration time.Duration
}

// FullMethod is the call's method as gRPC names it: "/" + Service + "/" + Method.
func (c Call) FullMethod() string {
	return "/" + c.Service + "/" + c.Method
}

// Filter decides whether a call is recorded: true keeps it. Filters may run concurrently.
type Filter func(Call) bool

// All keeps the calls that every one of filters keeps. Nil filters are ignored; with none, it
// keeps everything.
func All(filters ...Filter) Filter {
	filters = withoutNil(filters)
	return func(c Call) bool {
		for _, f := range filters {
			if !f(c) {
				return false
			}
		}
		return true
	}
}

// Any keeps the calls that at least one of filters keeps. Nil filters are ignored; with none,
// it keeps nothing.
func Any(filters ...Filter) Filter {
	filters = withoutNil(filters)
	return func(c Call) bool {
		for _, f := range filters {
			if f(c) {
				return true
			}
		}
		return false
	}
}

// Not keeps the calls f drops. A nil f keeps nothing.
func Not(f Filter) Filter {
	if f == nil {
		return func(Call) bool { return false }
	}
	return func(c Call) bool { return !f(c) }
}

// Services keeps the calls to the named services (full names, for example
// "grpc.health.v1.Health").
func Services(names ...string) Filter {
	names = slices.Clone(names)
	return func(c Call) bool { return slices.Contains(names, c.Service) }
}

// Methods keeps the calls to the named methods (full methods, for example
// "/grpc.health.v1.Health/Check"; the leading slash is optional). Names without a "/" between
// service and method are ignored.
func Methods(fullMethods ...string) Filter {
	type method struct{ service, name string }
	set := make(map[method]bool, len(fullMethods))
	for _, fm := range fullMethods {
		if service, name, ok := strings.Cut(strings.TrimPrefix(fm, "/"), "/"); ok {
			set[method{service, name}] = true
		}
	}
	return func(c Call) bool { return set[method{c.Service, c.Method}] }
}

// healthService is the gRPC health checking service, which Kubernetes and load balancers
// probe every few seconds.
const healthService = "grpc.health.v1.Health"

// HealthChecks keeps the calls to the gRPC health service (grpc.health.v1.Health: Check,
// Watch, List); Not(HealthChecks()) keeps every other call.
func HealthChecks() Filter {
	return Services(healthService)
}

// Failed keeps the finished calls that did not end with OK.
func Failed() Filter {
	return func(c Call) bool { return c.Finished && c.Code != codes.OK }
}

// HealthChecksOnlyOnFailure keeps the health checks that failed, and every other call. A
// health check that answers NOT_SERVING has not failed: its call ended with OK. Before the
// outcome is known (tracing's decision) it drops every health check.
func HealthChecksOnlyOnFailure() Filter {
	return Any(Not(HealthChecks()), Failed())
}

// SampleSuccesses keeps one in n of the finished calls that ended with OK (the first, the
// n+1th, …) and every call that did not; a call not yet finished is kept. An n below 2 keeps
// everything. One SampleSuccesses counts the calls of every signal it is given to.
func SampleSuccesses(n int) Filter {
	if n < 2 {
		return func(Call) bool { return true }
	}
	var seen atomic.Uint64
	every := uint64(n)
	return func(c Call) bool {
		if !c.Finished || c.Code != codes.OK {
			return true
		}
		return (seen.Add(1)-1)%every == 0
	}
}

func withoutNil(filters []Filter) []Filter {
	out := make([]Filter, 0, len(filters))
	for _, f := range filters {
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}

package logging

import (
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"google.golang.org/grpc/codes"
)

// Call is what a Filter sees of the line it decides on: the call and, on its finish line, the
// outcome.
type Call struct {
	// Service is the full service name, for example "grpc.health.v1.Health".
	Service string
	// Method is the method name, for example "Check".
	Method string
	// Type is the call's kind: unary, client_stream, server_stream or bidi_stream.
	Type interceptors.GRPCType
	// IsClient is true on a client, false on a server.
	IsClient bool
	// Finished is true for the finish line, false for the start line (WithStartLine) and for
	// the line of a stream message (WithPayloads), which come before the outcome is known.
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

// Filter decides whether a line is logged: true keeps it. Filters run once per line, after the
// level check (so a sampling filter counts only lines the logger's level lets through) and
// before any field of the line is built; they may run concurrently.
type Filter func(Call) bool

// keep reports whether every filter keeps the line.
func (o *options) keep(c Call) bool {
	for _, f := range o.filters {
		if !f(c) {
			return false
		}
	}
	return true
}

// Failed keeps the finish lines of calls that did not end with OK.
func Failed() Filter {
	return func(c Call) bool { return c.Finished && c.Code != codes.OK }
}

// Services keeps the lines of calls to the named services (full names, for example
// "grpc.health.v1.Health").
func Services(names ...string) Filter {
	names = slices.Clone(names)
	return func(c Call) bool { return slices.Contains(names, c.Service) }
}

// Methods keeps the lines of calls to the named methods (full methods, for example
// "/grpc.health.v1.Health/Check"). Names without a "/" between service and method are ignored.
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

// Not keeps the lines f drops. A nil f keeps nothing.
func Not(f Filter) Filter {
	if f == nil {
		return func(Call) bool { return false }
	}
	return func(c Call) bool { return !f(c) }
}

// Any keeps the lines that at least one of filters keeps. Nil filters are ignored; with none,
// it keeps nothing.
func Any(filters ...Filter) Filter {
	filters = withoutNilFilters(filters)
	return func(c Call) bool {
		for _, f := range filters {
			if f(c) {
				return true
			}
		}
		return false
	}
}

// All keeps the lines that every one of filters keeps. Nil filters are ignored; with none, it
// keeps everything.
func All(filters ...Filter) Filter {
	filters = withoutNilFilters(filters)
	return func(c Call) bool {
		for _, f := range filters {
			if !f(c) {
				return false
			}
		}
		return true
	}
}

// HealthChecksOnlyOnFailure logs calls to the gRPC health service (grpc.health.v1.Health, the
// service Kubernetes and load balancers probe every few seconds) only when they fail, and
// every other call as usual. A health check that answers NOT_SERVING has not failed: its call
// ended with OK.
func HealthChecksOnlyOnFailure() Filter {
	return Any(Not(Services("grpc.health.v1.Health")), Failed())
}

// SampleSuccesses logs one in n of the calls that end with OK (the first, the n+1th, …) and
// every call that does not. Lines that come before the outcome is known are kept. An n below 2
// keeps everything. One SampleSuccesses counts the calls of every logger it is given to.
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

func withoutNilFilters(filters []Filter) []Filter {
	out := make([]Filter, 0, len(filters))
	for _, f := range filters {
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}

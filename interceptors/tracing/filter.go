package tracing

import (
	"context"
	"strings"

	"github.com/grpcobs/grpcobs/interceptors"
)

// Filter reports whether a call gets a span: true traces it. It sees the call's CallMeta and
// its context: on the client the caller's, on the server the incoming one with what was
// extracted from a trusted caller (its span context and baggage). See WithFilter.
type Filter func(ctx context.Context, meta interceptors.CallMeta) bool

// healthService is the gRPC health checking service, grpc.health.v1.Health.
const healthService = "grpc.health.v1.Health"

// HealthCheck is true for calls to the gRPC health service (grpc.health.v1.Health: Check,
// Watch, List). Used as a filter it traces only health checks; NotHealthCheck is the usual
// choice.
func HealthCheck(_ context.Context, meta interceptors.CallMeta) bool {
	return meta.Service == healthService
}

// NotHealthCheck is true for every call except those to the gRPC health service, so that
// probes do not flood the traces: tracing.WithFilter(tracing.NotHealthCheck).
func NotHealthCheck(ctx context.Context, meta interceptors.CallMeta) bool {
	return !HealthCheck(ctx, meta)
}

// Not inverts f.
func Not(f Filter) Filter {
	if f == nil {
		return func(context.Context, interceptors.CallMeta) bool { return false }
	}
	return func(ctx context.Context, meta interceptors.CallMeta) bool { return !f(ctx, meta) }
}

// All is true when every filter is (and for no filters at all). Nil filters are skipped.
func All(filters ...Filter) Filter {
	filters = withoutNil(filters)
	return func(ctx context.Context, meta interceptors.CallMeta) bool {
		for _, f := range filters {
			if !f(ctx, meta) {
				return false
			}
		}
		return true
	}
}

// Any is true when at least one filter is (so false for no filters at all). Nil filters are
// skipped.
func Any(filters ...Filter) Filter {
	filters = withoutNil(filters)
	return func(ctx context.Context, meta interceptors.CallMeta) bool {
		for _, f := range filters {
			if f(ctx, meta) {
				return true
			}
		}
		return false
	}
}

// Services is true for calls to any of the named services, given as "package.Service".
func Services(names ...string) Filter {
	set := make(map[string]struct{}, len(names))
	for _, n := range names {
		set[n] = struct{}{}
	}
	return func(_ context.Context, meta interceptors.CallMeta) bool {
		_, ok := set[meta.Service]
		return ok
	}
}

// Methods is true for calls to any of the named methods, given as "/package.Service/Method"
// (the leading slash is optional). Names without a "/" between service and method are ignored.
func Methods(names ...string) Filter {
	type method struct{ service, method string }
	set := make(map[method]struct{}, len(names))
	for _, n := range names {
		n = strings.TrimPrefix(n, "/")
		if svc, m, ok := strings.Cut(n, "/"); ok {
			set[method{svc, m}] = struct{}{}
		}
	}
	return func(_ context.Context, meta interceptors.CallMeta) bool {
		_, ok := set[method{meta.Service, meta.Method}]
		return ok
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

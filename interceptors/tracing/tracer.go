package tracing

import (
	"context"
	"reflect"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

// tracerSource gives the tracer for a call: the one of the configured provider, or, by
// default, the one of the global provider at the time of the call, so that a provider set
// with otel.SetTracerProvider after the interceptors were built still applies.
type tracerSource struct {
	fixed     trace.Tracer // from WithTracerProvider; nil: follow the global provider
	tracerOpt []trace.TracerOption
	global    atomic.Pointer[globalTracer]
}

// globalTracer is the tracer of the global provider last seen.
type globalTracer struct {
	provider trace.TracerProvider
	tracer   trace.Tracer
}

func newTracerSource(tp trace.TracerProvider, opts ...trace.TracerOption) *tracerSource {
	s := &tracerSource{tracerOpt: opts}
	if tp != nil {
		s.fixed = tp.Tracer(ScopeName, opts...)
	}
	return s
}

// start starts a span with the call's tracer.
func (s *tracerSource) start(ctx context.Context, name string, opts []trace.SpanStartOption) (context.Context, trace.Span) {
	if s.fixed != nil {
		return s.fixed.Start(ctx, name, opts...)
	}
	return s.current().Start(ctx, name, opts...)
}

// current returns the global provider's tracer, asking the provider for it only when the
// global provider changed. Providers are compared only when their type is comparable (a
// provider of any other type is asked every call).
func (s *tracerSource) current() trace.Tracer {
	tp := otel.GetTracerProvider()
	if g := s.global.Load(); g != nil && sameProvider(g.provider, tp) {
		return g.tracer
	}
	t := tp.Tracer(ScopeName, s.tracerOpt...)
	if reflect.TypeOf(tp).Comparable() {
		s.global.Store(&globalTracer{provider: tp, tracer: t})
	}
	return t
}

// sameProvider compares two providers, the first of a comparable type, without panicking.
func sameProvider(cached, tp trace.TracerProvider) bool {
	return reflect.TypeOf(cached) == reflect.TypeOf(tp) && cached == tp
}

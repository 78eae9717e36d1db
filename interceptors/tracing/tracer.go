package tracing

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

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

// startOptions recycles the option slices spans are started with (see tracerSource.startAt).
var startOptions = sync.Pool{New: func() any { s := make([]trace.SpanStartOption, 0, 8); return &s }}

// startAt starts a span with a method's options and, unless start is zero, the stack's start
// time. The method's options are shared by its calls, so the time goes into a copy, which comes
// from a pool and goes back once Start has returned: a tracer reads its options while starting
// the span (the SDK gathers them into a SpanConfig) and keeps no reference to them.
func (s *tracerSource) startAt(ctx context.Context, name string, opts []trace.SpanStartOption, start time.Time) (context.Context, trace.Span) {
	if start.IsZero() {
		return s.start(ctx, name, opts)
	}
	p := startOptions.Get().(*[]trace.SpanStartOption)
	all := append(append((*p)[:0], opts...), trace.WithTimestamp(start))
	ctx, span := s.start(ctx, name, all)
	clear(all)
	*p = all[:0]
	startOptions.Put(p)
	return ctx, span
}

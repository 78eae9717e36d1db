package tracing

import (
	"context"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Option configures a Server or a Client. Both sides take the same options; an option that
// only makes sense on one side says so and is ignored on the other. A nil Option is ignored,
// and so is an option given a nil value: construction never fails.
type Option func(*options)

type options struct {
	tracerProvider trace.TracerProvider
	propagator     propagation.TextMapPropagator // nil: W3C Trace Context and Baggage
	filters        []filter.Filter
	messageEvents  bool
	baggageKeys    []string
	publicEndpoint func(ctx context.Context, meta interceptors.CallMeta) bool
	policy         interceptors.StatusPolicy
	attemptSpans   bool
}

// newOptions applies opts to the defaults: a nil tracerProvider means the global provider,
// looked up at each call; a nil propagator means W3C Trace Context and Baggage (see
// core.extract).
func newOptions(opts []Option) options {
	return signal.Apply(options{policy: interceptors.DefaultStatusPolicy()}, opts)
}

// WithTracerProvider sets the provider of the tracer that starts the spans.
//
// Default: otel's global provider as it is at each call (otel.GetTracerProvider), so a
// provider set with otel.SetTracerProvider after the interceptors were built applies to the
// calls that follow.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) {
		if tp != nil {
			o.tracerProvider = tp
		}
	}
}

// WithStatusPolicy sets the status policy that decides which codes give a span an Error
// status and error.type. Give every signal of a stack the same policy. Default:
// interceptors.DefaultStatusPolicy().
func WithStatusPolicy(p interceptors.StatusPolicy) Option {
	return func(o *options) { o.policy = p }
}

// WithPropagators sets how trace context and baggage travel in gRPC metadata: the server
// extracts with it, the client injects with it. Whatever it injects replaces the outgoing
// metadata of the same keys; every other outgoing key is kept.
//
// Default: W3C Trace Context and W3C Baggage (traceparent, tracestate, baggage), and not
// otel's global propagator, which is a no-op until set: a service that forgot to set it would
// silently break every trace at its boundary.
func WithPropagators(p propagation.TextMapPropagator) Option {
	return func(o *options) {
		if p != nil {
			o.propagator = p
		}
	}
}

// WithFilter traces only the calls f keeps. It decides at the call's start, before the
// outcome (filter.Call.Finished is false), with the call's context: on the client the
// caller's, on the server the incoming one with what was extracted from a trusted caller. A
// call without a span still runs, and its trace context and baggage still propagate (the
// server still extracts them into the handler's context, the client still injects the
// caller's), so a trace is not broken by a filtered hop. Given several times, a call is traced
// only when every filter keeps it. A nil f is ignored. Default: every call is traced.
func WithFilter(f filter.Filter) Option {
	return func(o *options) {
		if f != nil {
			o.filters = append(o.filters[:len(o.filters):len(o.filters)], f)
		}
	}
}

// WithMessageEvents records an "rpc.message" event on the span for every message sent or
// received, unary calls included, with its direction, its sequence number in that direction
// (from 1) and, for protobuf messages, its uncompressed size. Only messages that were sent or
// received without error are recorded.
//
// Default: no message events (they cost an event per message; streams can be long).
func WithMessageEvents() Option {
	return func(o *options) { o.messageEvents = true }
}

// WithBaggageAttributes copies the named baggage members of each call into its span, as
// attributes named "baggage.<key>" (the server copies the baggage it extracted from a trusted
// caller, the client the baggage of the caller's context). Members that are absent are
// skipped; values are copied as valid UTF-8. Keys that name credentials
// (authorization, proxy-authorization, cookie, set-cookie, and keys starting with "grpc-") are
// never copied, even when listed. Repeated calls add to the list.
//
// Default: no baggage member becomes an attribute.
func WithBaggageAttributes(keys ...string) Option {
	return func(o *options) {
		for _, k := range keys {
			if k != "" && !isCredentialKey(k) {
				o.baggageKeys = append(o.baggageKeys, k)
			}
		}
	}
}

// WithPublicEndpoint makes the server treat every caller as untrusted: each call starts a new
// trace whose root span links to the caller's span (when the caller sent one), and the
// caller's baggage is dropped: it reaches neither the handler's context nor the span. Server
// only. It is WithPublicEndpointFn with a function that always returns true.
//
// Default: the server span is the child of the caller's span, and the caller's baggage is in
// the handler's context.
func WithPublicEndpoint() Option {
	return WithPublicEndpointFn(func(context.Context, interceptors.CallMeta) bool { return true })
}

// WithPublicEndpointFn decides per call whether the caller is untrusted (fn returns true), with
// the effects of WithPublicEndpoint. fn sees the call's incoming context, so it can look at the
// peer or the metadata. Server only. The last of WithPublicEndpoint and WithPublicEndpointFn
// wins.
//
// Default: every caller is trusted.
func WithPublicEndpointFn(fn func(ctx context.Context, meta interceptors.CallMeta) bool) Option {
	return func(o *options) {
		if fn != nil {
			o.publicEndpoint = fn
		}
	}
}

// WithAttemptSpans gives each attempt of a client call a span of its own, the child of the
// call's span: grpc-go retries a call itself (a service config's retryPolicy, and
// transparently a stream refused before it reached the server's handler), and the call span
// alone hides them. The call span keeps its name, attributes, duration and final code, and
// becomes the INTERNAL span of the logical operation. Each attempt span is a CLIENT span with
// the call's attributes, named "Attempt." and the method with its slash made a dot (gRFC A72's
// name); it starts and ends when grpc-go creates and ends the attempt, and carries
// previous-rpc-attempts (the grpc-previous-rpc-attempts grpc-go sent: its policy's retries
// before it), transparent-retry, and its own rpc.response.status_code (and error.type and an
// Error status when the status policy calls its code an error). The trace context sent to the
// server is the attempt span's, so the server span of each attempt is the child of a CLIENT
// span, as service graphs need. A call never retried gets exactly one attempt span, so every
// traced call has the same shape. An attempt grpc-go abandons before making it has its span
// ended at once, named "AbandonedAttempt." and the method, marked grpcobs.attempt.abandoned.
//
// It needs the stack of interceptors.DialOptions, which then also installs a stats handler
// that follows the attempts; under other interceptors it does nothing. Client only.
//
// Default: no attempt spans; the server span is the child of the call span.
func WithAttemptSpans() Option {
	return func(o *options) { o.attemptSpans = true }
}

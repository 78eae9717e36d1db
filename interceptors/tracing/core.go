package tracing

import (
	"context"
	"strings"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// ScopeName is the instrumentation scope of the spans this package starts.
const ScopeName = "github.com/grpcobs/grpcobs/interceptors/tracing"

// core is what a Server and a Client share: the options, resolved once, and the per-method
// cache. Its side (client or server) is fixed at construction.
type core struct {
	tracer         *tracerSource
	propagator     propagation.TextMapPropagator // nil: W3C Trace Context and Baggage, see extract
	filter         filter.Filter                 // nil: every call is traced
	messageEvents  bool
	baggage        []baggageAttribute
	publicEndpoint func(ctx context.Context, meta interceptors.CallMeta) bool
	// attempts says a client starts a span per attempt (WithAttemptSpans).
	attempts bool

	policy     interceptors.StatusPolicy
	isClient   bool
	kind       trace.SpanKind
	conv       conventions
	status     [numCodes][]attribute.KeyValue
	targets    targetCache
	localAddrs localAddrCache
	peerHosts  peerHostCache
}

func newCore(opts []Option, isClient bool) *core {
	o := newOptions(opts)
	c := &core{
		propagator:     o.propagator,
		messageEvents:  o.messageEvents,
		baggage:        newBaggageAttributes(o.baggageKeys),
		publicEndpoint: o.publicEndpoint,
		attempts:       o.attemptSpans && isClient,
		policy:         o.policy,
		isClient:       isClient,
		kind:           trace.SpanKindServer,
		conv:           conventionsFromEnv(),
	}
	if isClient {
		c.kind = trace.SpanKindClient
		c.publicEndpoint = nil
	}
	switch len(o.filters) {
	case 0:
	case 1:
		c.filter = o.filters[0]
	default:
		c.filter = filter.All(o.filters...)
	}
	c.tracer = newTracerSource(o.tracerProvider, trace.WithSchemaURL(c.conv.schemaURL()))
	for code := range codes.Code(numCodes) {
		c.status[code] = c.conv.statusAttributes(code, c.policy.IsError(isClient, code))
	}
	return c
}

// extract reads the caller's trace context and baggage from carrier into ctx. Without
// WithPropagators it runs W3C Trace Context, then W3C Baggage, exactly as the composite of the
// two would, but without the composite's indirection, and so that the carrier may come from
// a pool: these propagators are known not to keep it.
func (c *core) extract(ctx context.Context, carrier *incomingCarrier) context.Context {
	if c.propagator == nil {
		ctx = propagation.TraceContext{}.Extract(ctx, carrier)
		return propagation.Baggage{}.Extract(ctx, carrier)
	}
	return c.propagator.Extract(ctx, carrier)
}

// inject writes ctx's trace context and baggage into carrier, as extract reads them.
func (c *core) inject(ctx context.Context, carrier *outgoingCarrier) {
	if c.propagator == nil {
		propagation.TraceContext{}.Inject(ctx, carrier)
		propagation.Baggage{}.Inject(ctx, carrier)
		return
	}
	c.propagator.Inject(ctx, carrier)
}

// traced applies the filters.
func (c *core) traced(ctx context.Context, meta interceptors.CallMeta) bool {
	return c.filter == nil || c.filter(filter.Call{Context: ctx, Service: meta.Service, Method: meta.Method, Type: meta.Typ, IsClient: c.isClient})
}

// statusAttributes are the attributes of a call that ended with code.
func (c *core) statusAttributes(code codes.Code) []attribute.KeyValue {
	if int(code) < numCodes {
		return c.status[code]
	}
	return c.conv.statusAttributes(code, c.policy.IsError(c.isClient, code))
}

// method is what a span needs from the call's method alone, computed once per method.
type method struct {
	name  string // "package.Service/Method"
	start []trace.SpanStartOption
	// attempt is how the method's call and attempt spans start with WithAttemptSpans, when
	// the stack follows the call's attempts (see attempts.go); nil without the option.
	attempt *attemptMethod
}

// otherMethod is rpc.method of a method that is not known, and spanNameOther the name of its
// span, as the semantic conventions say: the name a caller sent is any bytes, and must reach
// neither span names (unbounded) nor exporters that refuse invalid UTF-8.
const (
	otherMethod   = "_OTHER"
	spanNameOther = "grpc"
	// maxOriginalMethodBytes bounds rpc.method_original, the name the caller sent.
	maxOriginalMethodBytes = 256
)

// unknownMethod is the method of a call to a method that is not known (see method): a span
// named "grpc", rpc.method "_OTHER", and the name sent, made valid UTF-8 and cut to a bound, in
// rpc.method_original. It is not cached, so a caller's made-up names take no memory.
func (c *core) unknownMethod(meta interceptors.CallMeta, cc *grpc.ClientConn) *method {
	original := meta.Service + "/" + meta.Method
	if len(original) > maxOriginalMethodBytes {
		original = original[:maxOriginalMethodBytes]
	}
	original = strings.ToValidUTF8(original, "\uFFFD")
	attrs := c.conv.methodAttributes(otherMethod, otherMethod, otherMethod)
	if c.conv&conventionsCurrent != 0 {
		attrs = append(attrs, semconv.RPCMethodOriginal(original))
	}
	attrs = append(attrs, c.targets.serverAttributes(cc)...)
	m := &method{
		name:  spanNameOther,
		start: []trace.SpanStartOption{trace.WithSpanKind(c.kind), trace.WithAttributes(attrs...)},
	}
	if c.attempts {
		m.attempt = newAttemptMethod(m.name, attrs)
	}
	return m
}

// method returns the span name and start options of a call's method, kept in the call's
// Method slot (the stack's one cache). A known method (signal.Call.Known) names its span; any
// other is unknownMethod's.
func (c *core) method(call signal.Call) *method {
	if !call.Known {
		return c.unknownMethod(call.Meta, call.Conn)
	}
	if m, ok := call.Method.Slot(call.Slot).(*method); ok {
		return m
	}
	service, name := call.Meta.Service, call.Meta.Method
	if call.Method != nil {
		service, name = call.Method.Key.Service, call.Method.Key.Method // the cache's own copies
	}
	full := service + "/" + name
	attrs := append(c.conv.methodAttributes(full, service, name), c.targets.serverAttributes(call.Conn)...)
	m := &method{
		name:  full,
		start: []trace.SpanStartOption{trace.WithSpanKind(c.kind), trace.WithAttributes(attrs...)},
	}
	if c.attempts {
		m.attempt = newAttemptMethod(full, attrs)
	}
	call.Method.Store(call.Slot, m)
	return m
}

package bench

// The hand-rolled stack: the essential work of the grpcobs stack, written by hand with the
// same building blocks, and nothing else. It is a measuring instrument, not a library: the
// difference between grpcobs-full and handrolled-full (grpcobs-production and
// handrolled-production) is what grpcobs' own code costs, and the difference between it and
// bare is what the building blocks themselves cost: an OpenTelemetry SDK span per side, W3C
// trace context and baggage through gRPC metadata, prometheus client_golang counters and a
// histogram per side, and a logrus line per finished call per side through grpcobs' JSON
// formatter.
//
// Each side has one unary and one stream interceptor doing all three signals. Per call it
// extracts or injects the trace context, starts and ends a span with the rpc.* attributes
// (and, on a recording server span, the peer's address), counts the call, its messages and
// its code and times it on series resolved once per method, and logs the finished call with
// the fields grpcobs logs (one success in successEvery per side, and every failure). It calls
// the building blocks plainly, as their documentation shows (a logrus.Fields map per line,
// WithFields, TraceID().String()), without pooling or caching beyond the per-method series
// and span options: a library that uses them more cleverly can cost less than this stack.
//
// Left out on purpose, being a library's own work rather than the building blocks': options
// of any kind, filters, panic recovery, span events per message, bounds on hostile metadata
// or on the number of cached methods, server.* span attributes, deadline, baggage and
// metadata log fields, levels per code (every failure logs at error), exemplars, in-flight
// gauges. A client stream is finished when RecvMsg returns an error (io.EOF meaning OK), or a
// message on a method whose server does not stream: a stream abandoned before either never
// ends its span, is never counted as handled and never logged. That is enough for the
// benchmark's calls, which read every stream to its end.

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// handrolledStack traces both sides with an SDK provider sampling with sampler, counts and times
// both sides, and logs one success in successEvery per side (every one at logEverySuccess)
// and every failure.
func handrolledStack(sampler sdktrace.Sampler, successEvery int) signal {
	return func(b *builder) {
		tracer := b.tracerProvider(sampler).Tracer("handrolled")
		logger := b.logger(&jsonformat.Formatter{})
		server := newHandrolledSide(false, tracer, logger, successEvery)
		client := newHandrolledSide(true, tracer, logger, successEvery)
		b.registry().MustRegister(server.collectors()...)
		b.registry().MustRegister(client.collectors()...)
		b.stack.ServerOptions = append(b.stack.ServerOptions,
			grpc.ChainUnaryInterceptor(server.unaryServer),
			grpc.ChainStreamInterceptor(server.streamServer))
		b.stack.DialOptions = append(b.stack.DialOptions,
			grpc.WithChainUnaryInterceptor(client.unaryClient),
			grpc.WithChainStreamInterceptor(client.streamClient))
	}
}

// handrolledPropagator is W3C trace context and baggage, as grpcobs propagates by default.
var handrolledPropagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// The values of the grpc_type label and of the grpc.method_type field.
const (
	typeUnary        = "unary"
	typeClientStream = "client_stream"
	typeServerStream = "server_stream"
	typeBidiStream   = "bidi_stream"
)

func handrolledMethodType(clientStreams, serverStreams bool) string {
	switch {
	case clientStreams && serverStreams:
		return typeBidiStream
	case clientStreams:
		return typeClientStream
	case serverStreams:
		return typeServerStream
	default:
		return typeUnary
	}
}

// handrolledSide is one side's tracer, logger and metrics.
type handrolledSide struct {
	client    bool
	component string
	spanKind  trace.SpanKind
	tracer    trace.Tracer
	logger    *logrus.Logger

	successEvery uint64
	successes    atomic.Uint64

	started, handled, received, sent *prometheus.CounterVec
	seconds                          *prometheus.HistogramVec

	methods sync.Map // full method name → *handrolledMethod
}

func newHandrolledSide(client bool, tracer trace.Tracer, logger *logrus.Logger, successEvery int) *handrolledSide {
	s := &handrolledSide{client: client, component: "server", spanKind: trace.SpanKindServer, tracer: tracer, logger: logger,
		successEvery: uint64(max(successEvery, 1))}
	if client {
		s.component, s.spanKind = "client", trace.SpanKindClient
	}
	labels := []string{"grpc_type", "grpc_service", "grpc_method"}
	counter := func(name, help string, labels []string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "grpc_" + s.component + "_" + name, Help: help}, labels)
	}
	s.started = counter("started_total", "RPCs started.", labels)
	s.handled = counter("handled_total", "RPCs completed, by code.", append(labels[:len(labels):len(labels)], "grpc_code"))
	s.received = counter("msg_received_total", "Messages received.", labels)
	s.sent = counter("msg_sent_total", "Messages sent.", labels)
	s.seconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "grpc_" + s.component + "_handling_seconds",
		Help:    "RPC durations, in seconds.",
		Buckets: prometheus.DefBuckets,
	}, labels)
	return s
}

func (s *handrolledSide) collectors() []prometheus.Collector {
	return []prometheus.Collector{s.started, s.handled, s.received, s.sent, s.seconds}
}

// handrolledMethod is what a side resolves once per method: its names, its span options and its
// series.
type handrolledMethod struct {
	service, method, typ string
	spanName             string
	spanOptions          []trace.SpanStartOption

	started, received, sent prometheus.Counter
	seconds                 prometheus.Observer
	handledVec              *prometheus.CounterVec
	handled                 [codes.Unauthenticated + 1]atomic.Pointer[prometheus.Counter]
}

// method returns the method's cached names and series, resolving them on its first call.
func (s *handrolledSide) method(fullMethod, typ string) *handrolledMethod {
	if m, ok := s.methods.Load(fullMethod); ok {
		return m.(*handrolledMethod)
	}
	name := strings.TrimPrefix(fullMethod, "/")
	service, method, _ := strings.Cut(name, "/")
	m := &handrolledMethod{
		service: service, method: method, typ: typ, spanName: name,
		spanOptions: []trace.SpanStartOption{
			trace.WithSpanKind(s.spanKind),
			trace.WithAttributes(
				attribute.String("rpc.system", "grpc"),
				attribute.String("rpc.service", service),
				attribute.String("rpc.method", method)),
		},
		started:    s.started.WithLabelValues(typ, service, method),
		received:   s.received.WithLabelValues(typ, service, method),
		sent:       s.sent.WithLabelValues(typ, service, method),
		seconds:    s.seconds.WithLabelValues(typ, service, method),
		handledVec: s.handled,
	}
	actual, _ := s.methods.LoadOrStore(fullMethod, m)
	return actual.(*handrolledMethod)
}

// handledCounter is the method's grpc_*_handled_total series for code, resolved on its
// first use.
func (m *handrolledMethod) handledCounter(code codes.Code) prometheus.Counter {
	if int(code) >= len(m.handled) {
		return m.handledVec.WithLabelValues(m.typ, m.service, m.method, code.String())
	}
	if c := m.handled[code].Load(); c != nil {
		return *c
	}
	c := m.handledVec.WithLabelValues(m.typ, m.service, m.method, code.String())
	m.handled[code].Store(&c)
	return c
}

// handrolledCall is one call on one side, from its start to its end.
type handrolledCall struct {
	side  *handrolledSide
	m     *handrolledMethod
	ctx   context.Context // the call's context, holding its span
	span  trace.Span
	start time.Time
}

// startServer extracts the caller's trace context, starts the server span and counts the
// call.
func (s *handrolledSide) startServer(ctx context.Context, m *handrolledMethod) handrolledCall {
	start := time.Now()
	ctx = handrolledPropagator.Extract(ctx, incomingCarrier{ctx})
	ctx, span := s.tracer.Start(ctx, m.spanName, m.spanOptions...)
	if span.IsRecording() {
		if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
			host, port, err := net.SplitHostPort(p.Addr.String())
			if err != nil {
				host, port = p.Addr.String(), "" // an address without a port, such as bufconn's
			}
			span.SetAttributes(attribute.String("network.peer.address", host))
			if n, err := strconv.Atoi(port); err == nil {
				span.SetAttributes(attribute.Int("network.peer.port", n))
			}
		}
	}
	m.started.Inc()
	return handrolledCall{side: s, m: m, ctx: ctx, span: span, start: start}
}

// startClient starts the client span, injects its context into the outgoing metadata and
// counts the call.
func (s *handrolledSide) startClient(ctx context.Context, m *handrolledMethod) handrolledCall {
	start := time.Now()
	ctx, span := s.tracer.Start(ctx, m.spanName, m.spanOptions...)
	carrier := &outgoingCarrier{ctx: ctx}
	handrolledPropagator.Inject(ctx, carrier)
	m.started.Inc()
	return handrolledCall{side: s, m: m, ctx: carrier.ctx, span: span, start: start}
}

// finish ends the call: its span, its code and duration, and its line.
func (c *handrolledCall) finish(err error) {
	elapsed := time.Since(c.start)
	code := status.Code(err)
	c.span.SetAttributes(attribute.Int64("rpc.grpc.status_code", int64(code)))
	if err != nil {
		c.span.SetStatus(otelcodes.Error, status.Convert(err).Message())
	}
	c.span.End()
	c.m.handledCounter(code).Inc()
	c.m.seconds.Observe(elapsed.Seconds())
	c.log(code, err, elapsed)
}

// log writes the call's finish line, unless it is a success the side does not sample.
func (c *handrolledCall) log(code codes.Code, err error, elapsed time.Duration) {
	s := c.side
	if err == nil && s.successEvery > 1 && (s.successes.Add(1)-1)%s.successEvery != 0 {
		return
	}
	fields := logrus.Fields{
		"grpc.component":   s.component,
		"grpc.service":     c.m.service,
		"grpc.method":      c.m.method,
		"grpc.method_type": c.m.typ,
		"grpc.code":        code.String(),
		"grpc.time_ms":     float64(elapsed) / float64(time.Millisecond),
	}
	if !s.client {
		if p, ok := peer.FromContext(c.ctx); ok && p.Addr != nil {
			fields["peer.address"] = p.Addr.String()
		}
	}
	if sc := c.span.SpanContext(); sc.IsValid() {
		fields["trace_id"] = sc.TraceID().String()
		fields["span_id"] = sc.SpanID().String()
	}
	level := logrus.InfoLevel
	if err != nil {
		level = logrus.ErrorLevel
		fields[logrus.ErrorKey] = err
	}
	s.logger.WithFields(fields).Log(level, "finished call")
}

func (s *handrolledSide) unaryServer(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	c := s.startServer(ctx, s.method(info.FullMethod, typeUnary))
	c.m.received.Inc()
	resp, err := handler(c.ctx, req)
	if err == nil {
		c.m.sent.Inc()
	}
	c.finish(err)
	return resp, err
}

func (s *handrolledSide) streamServer(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	m := s.method(info.FullMethod, handrolledMethodType(info.IsClientStream, info.IsServerStream))
	wrapped := &handrolledServerStream{ServerStream: ss, call: s.startServer(ss.Context(), m)}
	err := handler(srv, wrapped)
	wrapped.call.finish(err)
	return err
}

// handrolledServerStream gives the handler the call's context and counts its messages.
type handrolledServerStream struct {
	grpc.ServerStream
	call handrolledCall
}

func (s *handrolledServerStream) Context() context.Context { return s.call.ctx }

func (s *handrolledServerStream) SendMsg(m any) error {
	err := s.ServerStream.SendMsg(m)
	if err == nil {
		s.call.m.sent.Inc()
	}
	return err
}

func (s *handrolledServerStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if err == nil {
		s.call.m.received.Inc()
	}
	return err
}

func (s *handrolledSide) unaryClient(ctx context.Context, fullMethod string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	c := s.startClient(ctx, s.method(fullMethod, typeUnary))
	c.m.sent.Inc()
	err := invoker(c.ctx, fullMethod, req, reply, cc, opts...)
	if err == nil {
		c.m.received.Inc()
	}
	c.finish(err)
	return err
}

func (s *handrolledSide) streamClient(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, fullMethod string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	c := s.startClient(ctx, s.method(fullMethod, handrolledMethodType(desc.ClientStreams, desc.ServerStreams)))
	cs, err := streamer(c.ctx, desc, cc, fullMethod, opts...)
	if err != nil {
		c.finish(err)
		return nil, err
	}
	return &handrolledClientStream{ClientStream: cs, call: c, serverStreams: desc.ServerStreams}, nil
}

// handrolledClientStream counts the stream's messages and finishes the call when RecvMsg reports
// its end. RecvMsg is never called concurrently with itself, so done needs no lock.
type handrolledClientStream struct {
	grpc.ClientStream
	call          handrolledCall
	serverStreams bool
	done          bool
}

func (s *handrolledClientStream) SendMsg(m any) error {
	err := s.ClientStream.SendMsg(m)
	if err == nil {
		s.call.m.sent.Inc()
	}
	return err
}

func (s *handrolledClientStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err == nil {
		s.call.m.received.Inc()
		if !s.serverStreams && !s.done {
			// The one response of a stream whose server does not stream: grpc-go has read
			// the status with it.
			s.done = true
			s.call.finish(nil)
		}
		return nil
	}
	if !s.done {
		s.done = true
		if errors.Is(err, io.EOF) {
			s.call.finish(nil)
		} else {
			s.call.finish(err)
		}
	}
	return err
}

// incomingCarrier reads the trace context from a server call's incoming metadata.
type incomingCarrier struct{ ctx context.Context }

func (c incomingCarrier) Get(key string) string {
	if v := metadata.ValueFromIncomingContext(c.ctx, key); len(v) > 0 {
		return v[0]
	}
	return ""
}

func (incomingCarrier) Set(string, string) {}

func (c incomingCarrier) Keys() []string {
	md, _ := metadata.FromIncomingContext(c.ctx)
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	return keys
}

// outgoingCarrier writes the trace context into a client call's outgoing metadata.
type outgoingCarrier struct{ ctx context.Context }

func (c *outgoingCarrier) Get(key string) string {
	md, _ := metadata.FromOutgoingContext(c.ctx)
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c *outgoingCarrier) Set(key, value string) {
	c.ctx = metadata.AppendToOutgoingContext(c.ctx, key, value)
}

func (c *outgoingCarrier) Keys() []string {
	md, _ := metadata.FromOutgoingContext(c.ctx)
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	return keys
}

package otelmetrics

import (
	"context"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	_ "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1" // declares grpcobs.demo.v1.DemoService
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

var echoMeta = interceptors.CallMeta{Service: "grpcobs.demo.v1.DemoService", Method: "Echo", Typ: interceptors.Unary}

// hotPath is one configuration of the signal, ready to record calls.
type hotPath struct {
	name string
	core *core
	cc   *grpc.ClientConn
	// resolver resolves the calls as a stack of this one signal does.
	resolver *signal.Resolver
}

// hotPaths are the signal's configurations, through an SDK provider: semantic conventions and
// A66, server and client (on a connection that is never used, so never connects).
func hotPaths(tb testing.TB) []hotPath {
	tb.Helper()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	tb.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	cc, err := grpc.NewClient("dns:///example.com:443", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		tb.Fatalf("NewClient: %v", err)
	}
	tb.Cleanup(func() { _ = cc.Close() })
	provider := WithMeterProvider(mp)
	return []hotPath{
		{"semconv-server", newCore([]Option{provider}, false), nil, signal.NewResolver(nil, 1)},
		{"semconv-client", newCore([]Option{provider}, true), cc, signal.NewResolver(nil, 1)},
		{"a66-server", newCore([]Option{provider, WithA66()}, false), nil, signal.NewResolver(nil, 1)},
		{"a66-client", newCore([]Option{provider, WithA66()}, true), cc, signal.NewResolver(nil, 1)},
	}
}

// record records one call of Echo through h, with ctx.
func (h hotPath) record(ctx context.Context, err error) {
	m, known := h.resolver.Resolve(echoMeta, h.cc, false)
	rep, _ := h.core.start(ctx, signal.Call{Meta: echoMeta, Conn: h.cc, Known: known, Method: m})
	rep.PostCall(err, 3*time.Millisecond)
}

// sampledContext holds a sampled span context, as grpcobs' tracing leaves it.
func sampledContext() context.Context {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{1},
		SpanID:     trace.SpanID{1},
		TraceFlags: trace.FlagsSampled,
	})
	return trace.ContextWithSpanContext(context.Background(), sc)
}

// Recording a call allocates nothing when its span is not sampled, whatever its code: the
// attribute sets are built once per method and code. A sampled span costs one allocation, the
// one that keeps the call's context for the exemplar.
func TestRecordingACallAllocatesNothingWithoutASampledSpan(t *testing.T) {
	failed := status.Error(codes.NotFound, "no")
	for _, h := range hotPaths(t) {
		h.record(context.Background(), nil) // the method's entry and its sets are built once
		h.record(context.Background(), failed)
		if got := testing.AllocsPerRun(200, func() { h.record(context.Background(), nil) }); got != 0 {
			t.Errorf("%s: %v allocations per call, want 0", h.name, got)
		}
		if got := testing.AllocsPerRun(200, func() { h.record(context.Background(), failed) }); got != 0 {
			t.Errorf("%s, failed call: %v allocations per call, want 0", h.name, got)
		}
		ctx := sampledContext()
		h.record(ctx, nil)
		if got := testing.AllocsPerRun(200, func() { h.record(ctx, nil) }); got > 1 {
			t.Errorf("%s, sampled span: %v allocations per call, want at most 1", h.name, got)
		}
	}
}

func BenchmarkRecordCall(b *testing.B) {
	for _, h := range hotPaths(b) {
		for _, sampled := range []bool{false, true} {
			ctx, name := context.Background(), h.name
			if sampled {
				ctx, name = sampledContext(), name+"-sampled"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					h.record(ctx, nil)
				}
			})
		}
	}
}

// Recording an attempt (A66 client, WithAttempts) allocates at most one value, the attempt
// that counts its bytes (here the compiler may keep it on the stack; the stack's handler
// keeps it), whatever its code: the attribute sets are the call's, built once.
func TestRecordingAnAttemptAllocatesOnlyTheAttempt(t *testing.T) {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	c := newCore([]Option{WithMeterProvider(mp), WithA66(), WithAttempts()}, true)
	m := c.method(signal.Call{Meta: echoMeta, Known: true})
	failed := status.Error(codes.Unavailable, "no")
	attempt := func(err error) {
		e, _ := m.StartAttempt(context.Background(), time.Now())
		e.AttemptMade(0, false)
		p := e.(interface{ AttemptPayload(bool, int) })
		p.AttemptPayload(true, 9)
		p.AttemptPayload(false, 7)
		e.AttemptEnded(err, time.Now())
	}
	attempt(nil)
	attempt(failed)
	for _, err := range []error{nil, failed} {
		if got := testing.AllocsPerRun(200, func() { attempt(err) }); got > 1 {
			t.Errorf("attempt ending with %v: %v allocations, want at most 1", err, got)
		}
	}
}

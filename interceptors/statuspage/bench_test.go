package statuspage_test

import (
	"context"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/trace"
)

// Reporting a call of a known method costs no allocation without a span, and one (the call's
// reporter, which keeps the trace id) with one.
func TestReportingAllocations(t *testing.T) {
	page := newPage(t)
	ctx := context.Background()
	serverCall(page, time.Millisecond, nil) // the method's row exists
	if n := testing.AllocsPerRun(100, func() {
		rep, _ := page.ServerReporter(ctx, echoMeta)
		rep.PostCall(nil, time.Millisecond)
	}); n != 0 {
		t.Errorf("a call without a span: %v allocations, want 0", n)
	}
	traced := trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled,
	}))
	if n := testing.AllocsPerRun(100, func() {
		rep, _ := page.ServerReporter(traced, echoMeta)
		rep.PostCall(nil, time.Millisecond)
	}); n != 1 {
		t.Errorf("a call with a span: %v allocations, want 1", n)
	}
}

// BenchmarkReport is the page's own cost per call, as the grpcobs stack drives it (the stack
// gives the call's start), from every core at once on one method (the worst case for shared
// counters).
func BenchmarkReport(b *testing.B) {
	page := newPage(b)
	hooks, _ := signal.Of(page)
	start := hooks.Server
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled,
	}))
	for _, bc := range []struct {
		name string
		ctx  context.Context
	}{{"span=none", context.Background()}, {"span=sampled", ctx}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				call := signal.Call{Meta: echoMeta, Start: time.Now()}
				for pb.Next() {
					rep, _ := start(bc.ctx, call)
					rep.PostCall(nil, 3*time.Millisecond)
				}
			})
		})
	}
}

// BenchmarkUnaryCall compares a unary call through a real server and client (bufconn) bare,
// with the page on both sides.
func BenchmarkUnaryCall(b *testing.B) {
	page := newPage(b)
	for _, bc := range []struct {
		name string
		opts []testsrv.Option
	}{
		{"page=off", nil},
		{"page=on", []testsrv.Option{
			testsrv.WithServerOptions(interceptors.ServerOptions(page)...),
			testsrv.WithDialOptions(interceptors.DialOptions(page)...),
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := testsrv.Start(b, bc.opts...)
			client := h.Demo()
			ctx := context.Background()
			req := &demov1.EchoRequest{Message: "hello"}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := client.Echo(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkServePage is what one view of the page costs with every demo method called.
func BenchmarkServePage(b *testing.B) {
	page := newPage(b)
	h := testsrv.Start(b, testsrv.WithServerOptions(interceptors.ServerOptions(page)...),
		testsrv.WithDialOptions(interceptors.DialOptions(page)...))
	for range 100 {
		_, _ = h.Demo().Echo(context.Background(), &demov1.EchoRequest{FailCode: 13})
	}
	b.ReportAllocs()
	for b.Loop() {
		get(b, page, "/debug/grpcobs")
	}
}

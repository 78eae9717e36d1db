package attempts_test

import (
	"context"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// A call that ends before grpc-go starts an attempt (its context is already done) has no
// attempt span, and no attempt is counted.
func TestCallThatNeverStartsAnAttemptHasNone(t *testing.T) {
	w := startWorld(t, retryPolicy(3, "0.01s", 1, ""))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := w.h.Demo().Echo(ctx, &demov1.EchoRequest{}); status.Code(err) != codes.Canceled {
		t.Fatalf("Echo = %v, want CANCELLED", err)
	}
	w.expectTree(t, []string{echoCall + " CANCELLED"})
	w.expectAttempts(t)
}

// A call filtered out of tracing has no span, so no attempt span: each attempt sends the
// caller's trace context, and the server spans are the children of the caller's span.
func TestFilteredCallHasNoAttemptSpans(t *testing.T) {
	w := startWorldWith(t, worldConfig{
		serviceConfig: retryPolicy(3, "0.01s", 1, ""),
		fail:          []codes.Code{codes.Unavailable},
		clientTracing: []tracing.Option{tracing.WithFilter(func(filter.Call) bool { return false })},
	})
	ctx, caller := w.tracer.Start(t.Context(), "caller")
	if _, err := w.h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo = %v, want OK after one retry", err)
	}
	caller.End()
	w.expectTree(t, []string{
		"internal caller",
		"  server grpcobs.demo.v1.DemoService/Echo UNAVAILABLE",
		"  server grpcobs.demo.v1.DemoService/Echo OK",
	})
	w.expectAttempts(t, attempts{"unary", "Echo", "OK", 1}, attempts{"unary", "Echo", "Unavailable", 1})
}

// The attempt spans of a method that is not known are named after the call span's "grpc".
func TestUnknownMethodsAttemptSpansAreBounded(t *testing.T) {
	w := startWorldWith(t, worldConfig{
		serviceConfig: retryPolicy(3, "0.01s", 1, ""),
		server:        []grpc.ServerOption{grpc.UnknownServiceHandler(testsrv.EchoAnything)},
	})
	if err := w.h.Conn.Invoke(t.Context(), "/unknown.v1.Unknown/Call", &demov1.EchoRequest{}, &demov1.EchoResponse{}); err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	w.expectTree(t, []string{
		"internal grpc OK",
		"  client Attempt.grpc OK previous-rpc-attempts=0 transparent-retry=false",
		"    server grpc OK",
	})
}

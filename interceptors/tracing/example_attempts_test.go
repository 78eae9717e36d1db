package tracing_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"sync/atomic"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/demo"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Each attempt of a retried call gets a CLIENT span under the call's span, which becomes the
// INTERNAL span of the logical operation, and the server span of each attempt is the child of
// its attempt span (so service graphs find a CLIENT parent for each server span). Here the
// server refuses the first attempt with UNAVAILABLE, and the client's retry policy retries it.
func ExampleWithAttemptSpans() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	var attempts atomic.Int32
	refuseFirst := func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if attempts.Add(1) == 1 {
			return nil, status.Error(codes.Unavailable, "not yet")
		}
		return handler(ctx, req)
	}
	serverOpts := append(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tp))),
		grpc.ChainUnaryInterceptor(refuseFirst))
	client, stop := serveDemo(demo.NewService(), serverOpts, append(interceptors.DialOptions(
		tracing.NewClient(tracing.WithTracerProvider(tp), tracing.WithAttemptSpans()),
	), grpc.WithDefaultServiceConfig(`{"methodConfig": [{
		"name": [{"service": "grpcobs.demo.v1.DemoService"}],
		"retryPolicy": {"maxAttempts": 2, "initialBackoff": "0.01s", "maxBackoff": "0.01s",
			"backoffMultiplier": 1, "retryableStatusCodes": ["UNAVAILABLE"]}}]}`))...)
	if _, err := client.Echo(context.Background(), &demov1.EchoRequest{Message: "hi"}); err != nil {
		log.Fatal(err)
	}
	stop() // the server spans have ended

	ended := spans.Ended()
	slices.SortFunc(ended, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	names := map[string]string{}
	for _, s := range ended {
		names[s.SpanContext().SpanID().String()] = s.Name()
	}
	for _, s := range ended {
		var code, previous string
		for _, kv := range s.Attributes() {
			switch kv.Key {
			case "rpc.response.status_code":
				code = kv.Value.AsString()
			case "previous-rpc-attempts":
				previous = " previous-rpc-attempts=" + kv.Value.String()
			}
		}
		parent := names[s.Parent().SpanID().String()]
		if parent == "" {
			parent = "-"
		}
		fmt.Printf("%s %s %s%s, parent %s\n", s.SpanKind(), s.Name(), code, previous, parent)
	}
	// Output:
	// internal grpcobs.demo.v1.DemoService/Echo OK, parent -
	// client Attempt.grpcobs.demo.v1.DemoService.Echo UNAVAILABLE previous-rpc-attempts=0, parent grpcobs.demo.v1.DemoService/Echo
	// server grpcobs.demo.v1.DemoService/Echo UNAVAILABLE, parent Attempt.grpcobs.demo.v1.DemoService.Echo
	// client Attempt.grpcobs.demo.v1.DemoService.Echo OK previous-rpc-attempts=1, parent grpcobs.demo.v1.DemoService/Echo
	// server grpcobs.demo.v1.DemoService/Echo OK, parent Attempt.grpcobs.demo.v1.DemoService.Echo
}

package tracing_test

import (
	"context"
	"fmt"
	"log"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// serveDemo serves the demo service in memory and returns a client of it, and a function
// that stops both.
func serveDemo(service *demo.Service, serverOpts []grpc.ServerOption, dialOpts ...grpc.DialOption) (demov1.DemoServiceClient, func()) {
	srv := grpc.NewServer(serverOpts...)
	demov1.RegisterDemoServiceServer(srv, service)
	conn, stop := testsrv.Serve(srv, dialOpts...)
	return demov1.NewDemoServiceClient(conn), stop
}

// The server side: a caller sends its trace context, the server span continues its trace.
func ExampleNewServer() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	serverOpts := interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tp)))
	client, stop := serveDemo(demo.NewService(), serverOpts)
	defer stop()

	// A caller in another process, with a W3C trace context of its own.
	ctx := metadata.AppendToOutgoingContext(context.Background(),
		"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if _, err := client.Echo(ctx, &demov1.EchoRequest{Message: "hi"}); err != nil {
		log.Fatal(err)
	}

	span := spans.Ended()[0]
	fmt.Println(span.SpanKind(), span.Name())
	fmt.Println("trace:", span.SpanContext().TraceID())
	fmt.Println("parent:", span.Parent().SpanID())
	// Output:
	// server grpcobs.demo.v1.DemoService/Echo
	// trace: 4bf92f3577b34da6a3ce929d0e0e4736
	// parent: 00f067aa0ba902b7
}

// The client side: the client span's trace context travels to the server as traceparent.
func ExampleNewClient() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	var received []string
	seeTraceparent := grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		received = metadata.ValueFromIncomingContext(ctx, "traceparent")
		return handler(ctx, req)
	})
	dialOpts := interceptors.DialOptions(tracing.NewClient(tracing.WithTracerProvider(tp)))
	client, stop := serveDemo(demo.NewService(), []grpc.ServerOption{seeTraceparent}, dialOpts...)
	defer stop()

	if _, err := client.Echo(context.Background(), &demov1.EchoRequest{Message: "hi"}); err != nil {
		log.Fatal(err)
	}

	span := spans.Ended()[0]
	sc := span.SpanContext()
	fmt.Println(span.SpanKind(), span.Name())
	fmt.Println("server received the client span:", received[0] == "00-"+sc.TraceID().String()+"-"+sc.SpanID().String()+"-01")
	// Output:
	// client grpcobs.demo.v1.DemoService/Echo
	// server received the client span: true
}

// The whole path: tracing first in the stack on both sides, baggage from the caller's context
// in the handler's.
func Example_stack() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	handler := demo.WithHook(func(ctx context.Context, _, _ string) (context.Context, func(error)) {
		fmt.Println("handler baggage:", baggage.FromContext(ctx).Member("tenant").Value())
		return ctx, func(error) {}
	})
	serverOpts := interceptors.ServerOptions(
		tracing.NewServer(tracing.WithTracerProvider(tp), tracing.WithFilter(filter.Not(filter.HealthChecks()))),
		// then metrics and logging
	)
	dialOpts := interceptors.DialOptions(
		tracing.NewClient(tracing.WithTracerProvider(tp)),
		// then metrics and logging
	)
	client, stop := serveDemo(demo.NewService(handler), serverOpts, dialOpts...)
	defer stop()

	tenant, _ := baggage.NewMemberRaw("tenant", "acme")
	bag, _ := baggage.New(tenant)
	ctx := baggage.ContextWithBaggage(context.Background(), bag)
	if _, err := client.Echo(ctx, &demov1.EchoRequest{Message: "hi"}); err != nil {
		log.Fatal(err)
	}

	ended := spans.Ended() // the server span ends first
	server, clientSpan := ended[0], ended[1]
	for _, s := range []sdktrace.ReadOnlySpan{clientSpan, server} {
		fmt.Println(s.SpanKind(), s.Name())
	}
	fmt.Println("server span is the client span's child:", server.Parent().SpanID() == clientSpan.SpanContext().SpanID())
	fmt.Println("one trace:", server.SpanContext().TraceID() == clientSpan.SpanContext().TraceID())
	// Output:
	// handler baggage: acme
	// client grpcobs.demo.v1.DemoService/Echo
	// server grpcobs.demo.v1.DemoService/Echo
	// server span is the client span's child: true
	// one trace: true
}

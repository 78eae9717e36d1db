package interceptors_test

import (
	"context"
	"fmt"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"google.golang.org/grpc"
)

// printer is a minimal signal: it prints when a call starts and ends.
type printer struct{ name string }

func (p printer) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	fmt.Printf("%s: start %s/%s (%s)\n", p.name, meta.Service, meta.Method, meta.Typ)
	return printerCall(p), ctx
}

type printerCall printer

func (p printerCall) PostCall(err error, _ time.Duration) {
	fmt.Printf("%s: end with %v\n", p.name, interceptors.Code(err))
}
func (printerCall) PostMsgSend(any, error, time.Duration)    {}
func (printerCall) PostMsgReceive(any, error, time.Duration) {}

// The stack runs every signal in one interceptor: starts in order, ends in reverse order.
func ExampleUnaryServerInterceptor() {
	intercept := interceptors.UnaryServerInterceptor(printer{"tracing"}, printer{"metrics"}, printer{"logging"})

	info := &grpc.UnaryServerInfo{FullMethod: "/grpcobs.demo.v1.DemoService/Echo"}
	handler := func(ctx context.Context, req any) (any, error) { return req, nil }
	_, _ = intercept(context.Background(), "request", info, handler)
	// Output:
	// tracing: start grpcobs.demo.v1.DemoService/Echo (unary)
	// metrics: start grpcobs.demo.v1.DemoService/Echo (unary)
	// logging: start grpcobs.demo.v1.DemoService/Echo (unary)
	// logging: end with OK
	// metrics: end with OK
	// tracing: end with OK
}

// ServerOptions hands both interceptors to grpc.NewServer at once. Options that follow run
// inside the stack, closer to the handler.
func ExampleServerOptions() {
	opts := interceptors.ServerOptions(printer{"tracing"}, printer{"metrics"})
	srv := grpc.NewServer(opts...)
	defer srv.Stop()
	fmt.Println(len(opts), "server options: one unary and one stream interceptor")
	// Output: 2 server options: one unary and one stream interceptor
}

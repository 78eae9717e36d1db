package bench

import (
	"context"
	"errors"
	"io"
	"testing"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
)

// metricsStacks are the server-and-client metric stacks the anchor comparison runs, each over
// the shared bufconn harness: none, go-grpc-middleware's providers/prometheus with its
// handling-time histograms on (grpcobs has them on by default), and grpcobs metrics.
var metricsStacks = []struct {
	name  string
	build func() []testsrv.Option
}{
	{"bare", func() []testsrv.Option { return nil }},
	{"go-grpc-middleware", func() []testsrv.Option {
		server := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram())
		client := grpcprom.NewClientMetrics(grpcprom.WithClientHandlingTimeHistogram())
		return []testsrv.Option{
			testsrv.WithServerOptions(
				grpc.ChainUnaryInterceptor(server.UnaryServerInterceptor()),
				grpc.ChainStreamInterceptor(server.StreamServerInterceptor())),
			testsrv.WithDialOptions(
				grpc.WithChainUnaryInterceptor(client.UnaryClientInterceptor()),
				grpc.WithChainStreamInterceptor(client.StreamClientInterceptor())),
		}
	}},
	{"grpcobs", func() []testsrv.Option {
		return []testsrv.Option{
			testsrv.WithServerOptions(interceptors.ServerOptions(metrics.NewServerMetrics())...),
			testsrv.WithDialOptions(interceptors.DialOptions(metrics.NewClientMetrics())...),
		}
	}},
}

// BenchmarkMetricsUnary is one Echo call per operation, metrics on both sides.
func BenchmarkMetricsUnary(b *testing.B) {
	for _, stack := range metricsStacks {
		b.Run(stack.name, func(b *testing.B) {
			client := testsrv.Start(b, stack.build()...).Demo()
			ctx, req := context.Background(), &demov1.EchoRequest{Message: "hello"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.Echo(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMetricsStream is one Chat stream per operation (open, one request, one response,
// close), metrics on both sides.
func BenchmarkMetricsStream(b *testing.B) {
	for _, stack := range metricsStacks {
		b.Run(stack.name, func(b *testing.B) {
			client := testsrv.Start(b, stack.build()...).Demo()
			ctx, req := context.Background(), &demov1.ChatRequest{Message: "hello"}
			b.ReportAllocs()
			for b.Loop() {
				stream, err := client.Chat(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if err := stream.Send(req); err != nil {
					b.Fatal(err)
				}
				if _, err := stream.Recv(); err != nil {
					b.Fatal(err)
				}
				if err := stream.CloseSend(); err != nil {
					b.Fatal(err)
				}
				if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
					b.Fatalf("end of stream: %v", err)
				}
			}
		})
	}
}

// interceptorStacks are the same metric stacks as bare interceptors, to measure their own
// cost per call without the transport's noise.
var interceptorStacks = []struct {
	name   string
	server func() grpc.UnaryServerInterceptor
	client func() grpc.UnaryClientInterceptor
}{
	{"go-grpc-middleware",
		func() grpc.UnaryServerInterceptor {
			return grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram()).UnaryServerInterceptor()
		},
		func() grpc.UnaryClientInterceptor {
			return grpcprom.NewClientMetrics(grpcprom.WithClientHandlingTimeHistogram()).UnaryClientInterceptor()
		}},
	{"grpcobs",
		func() grpc.UnaryServerInterceptor {
			return interceptors.UnaryServerInterceptor(metrics.NewServerMetrics())
		},
		func() grpc.UnaryClientInterceptor {
			return interceptors.UnaryClientInterceptor(metrics.NewClientMetrics())
		}},
}

// BenchmarkMetricsUnaryInterceptor is one unary call through a server interceptor and a client
// interceptor, each around a handler or invoker that returns at once.
func BenchmarkMetricsUnaryInterceptor(b *testing.B) {
	const method = "/grpcobs.demo.v1.DemoService/Echo"
	ctx, req, resp := context.Background(), &demov1.EchoRequest{}, &demov1.EchoResponse{}
	info := &grpc.UnaryServerInfo{FullMethod: method}
	handler := func(context.Context, any) (any, error) { return resp, nil }
	invoker := func(context.Context, string, any, any, *grpc.ClientConn, ...grpc.CallOption) error { return nil }
	for _, stack := range interceptorStacks {
		b.Run(stack.name, func(b *testing.B) {
			server, client := stack.server(), stack.client()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := server(ctx, req, info, handler); err != nil {
					b.Fatal(err)
				}
				if err := client(ctx, method, req, resp, nil, invoker); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

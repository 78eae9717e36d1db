package logging_test

import (
	"context"
	"io"
	"net"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"
)

// BenchmarkServerUnary is the cost of logging one unary server call, the interceptor called
// directly; bench/logging_anchor_test.go compares it with go-grpc-middleware's logging.
func BenchmarkServerUnary(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []logging.Option
		log  func(ctx context.Context)
	}{
		{name: "finish line"},
		{name: "filtered out", opts: []logging.Option{logging.WithFilter(filter.Failed())}},
		{name: "handler logs", log: func(ctx context.Context) { logging.FromContext(ctx).Info("handling") }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			logger := logrus.New()
			logger.SetOutput(io.Discard)
			logger.SetFormatter(&jsonformat.Formatter{})
			interceptor := interceptors.UnaryServerInterceptor(logging.NewServer(logger, tc.opts...))
			ctx := benchContext()
			req, resp := &demov1.EchoRequest{Message: "hello"}, &demov1.EchoResponse{Message: "hello"}
			info := &grpc.UnaryServerInfo{FullMethod: "/grpcobs.demo.v1.DemoService/Echo"}
			handler := func(ctx context.Context, _ any) (any, error) {
				if tc.log != nil {
					tc.log(ctx)
				}
				return resp, nil
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := interceptor(ctx, req, info, handler); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchContext() context.Context {
	ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 54321}})
	return trace.ContextWithSpanContext(ctx, exampleSpan)
}

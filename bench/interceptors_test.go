package bench

import (
	"context"
	"net"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// BenchmarkInterceptors runs a unary call through a configuration's client and server
// interceptors alone, with no transport in between: the client's outgoing metadata becomes
// the server's incoming metadata, next to a peer, and the handler answers at once. With no
// connection and no goroutine switch, what it measures is each stack's own work per call, with
// far less noise than BenchmarkUnary; it compares the grpcobs stack with the hand-rolled one
// (handrolled.go, built the same way as handrolledStack) at both samplings, and the full stack
// through logrus with the same through log/slog.
func BenchmarkInterceptors(b *testing.B) {
	type sides struct {
		server grpc.UnaryServerInterceptor
		client grpc.UnaryClientInterceptor
	}
	// The grpcobs sides are those of the configuration of the same name in Configs().
	grpcobsSides := func(name string) func(*builder) sides {
		var signals []signal
		for _, cfg := range Configs() {
			if cfg.Name == name {
				signals = cfg.signals
			}
		}
		if signals == nil {
			b.Fatalf("no configuration %q", name)
		}
		return func(bl *builder) sides {
			for _, add := range signals {
				add(bl)
			}
			stack, err := interceptors.NewStack()
			if err != nil {
				b.Fatal(err)
			}
			return sides{stack.UnaryServerInterceptor(bl.serverReportables...), stack.UnaryClientInterceptor(bl.clientReportables...)}
		}
	}
	handrolledSides := func(sampler sdktrace.Sampler, successEvery int) func(*builder) sides {
		return func(bl *builder) sides {
			tracer := bl.tracerProvider(sampler).Tracer("handrolled")
			logger := bl.logger(&jsonformat.Formatter{})
			server := newHandrolledSide(false, tracer, logger, successEvery)
			client := newHandrolledSide(true, tracer, logger, successEvery)
			bl.registry().MustRegister(server.collectors()...)
			bl.registry().MustRegister(client.collectors()...)
			return sides{server.unaryServer, client.unaryClient}
		}
	}
	for _, tc := range []struct {
		name  string
		build func(*builder) sides
	}{
		{"grpcobs-full", grpcobsSides("grpcobs-full")},
		{"grpcobs-full-slog", grpcobsSides("grpcobs-full-slog")},
		{"handrolled-full", handrolledSides(sampleAlways, logEverySuccess)},
		{"grpcobs-production", grpcobsSides("grpcobs-production")},
		{"handrolled-production", handrolledSides(sampleOnePercent, 100)},
	} {
		b.Run("config="+tc.name, func(b *testing.B) {
			bl := &builder{stack: &Stack{}}
			s := tc.build(bl)
			b.Cleanup(func() { _ = bl.stack.Shutdown(context.Background()) })
			const method = "/grpcobs.demo.v1.DemoService/Echo"
			info := &grpc.UnaryServerInfo{FullMethod: method}
			caller := &peer.Peer{Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50051}}
			serverBase := peer.NewContext(context.Background(), caller)
			handler := func(ctx context.Context, req any) (any, error) {
				return &demov1.EchoResponse{Message: req.(*demov1.EchoRequest).GetMessage()}, nil
			}
			invoker := func(ctx context.Context, method string, req, reply any, _ *grpc.ClientConn, _ ...grpc.CallOption) error {
				md, _ := metadata.FromOutgoingContext(ctx)
				resp, err := s.server(metadata.NewIncomingContext(serverBase, md), req, info, handler)
				if err == nil {
					reply.(*demov1.EchoResponse).Message = resp.(*demov1.EchoResponse).GetMessage()
				}
				return err
			}
			req := &demov1.EchoRequest{Message: "benchmark payload"}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := s.client(ctx, method, req, new(demov1.EchoResponse), nil, invoker); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

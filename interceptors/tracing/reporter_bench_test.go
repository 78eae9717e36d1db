package tracing_test

import (
	"context"
	"net"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// reporterSetups are the samplers BenchmarkReporter compares: every span sampled, none, and
// production's parent-based ratio sampler behind an unsampled caller.
var reporterSetups = []struct {
	name        string
	sampler     sdktrace.Sampler
	traceparent string
}{
	{"sampled", sdktrace.AlwaysSample(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
	{"unsampled", sdktrace.NeverSample(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"},
	{"parent-unsampled", sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.01)), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"},
}

// BenchmarkReporter measures one call's reporter without gRPC: the server side (extract,
// span start, peer attributes, span end) and the client side (span start, inject, span end),
// so that the cost of tracing itself is not lost in the noise of a whole call.
func BenchmarkReporter(b *testing.B) {
	for _, setup := range reporterSetups {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(setup.sampler), sdktrace.WithSpanProcessor(sdktrace.NewBatchSpanProcessor(discard{})))
		b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

		b.Run("server/"+setup.name, func(b *testing.B) {
			srv := tracing.NewServer(tracing.WithTracerProvider(tp))
			meta := interceptors.CallMeta{Service: "grpcobs.demo.v1.DemoService", Method: "Echo", Typ: "unary"}
			md := metadata.MD{
				":authority":   {"bufnet"},
				"content-type": {"application/grpc"},
				"user-agent":   {"grpc-go/1.85.0"},
				"te":           {"trailers"},
				"traceparent":  {setup.traceparent},
			}
			ctx := metadata.NewIncomingContext(context.Background(), md)
			ctx = peer.NewContext(ctx, &peer.Peer{
				Addr:      &net.TCPAddr{IP: net.IPv4(10, 0, 0, 7), Port: 53412},
				LocalAddr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 8080},
			})
			b.ReportAllocs()
			for b.Loop() {
				r, _ := srv.ServerReporter(ctx, meta)
				if r != nil {
					r.PostCall(nil, 0)
				}
			}
		})

		b.Run("client/"+setup.name, func(b *testing.B) {
			cl := tracing.NewClient(tracing.WithTracerProvider(tp))
			meta := interceptors.CallMeta{Service: "grpcobs.demo.v1.DemoService", Method: "Echo", Typ: "unary", IsClient: true}
			// The caller's context holds the span of the handler that calls onwards.
			ctx := propagation.TraceContext{}.Extract(context.Background(),
				propagation.MapCarrier{"traceparent": setup.traceparent})
			ctx = trace.ContextWithSpanContext(ctx, trace.SpanContextFromContext(ctx).WithRemote(false))
			b.ReportAllocs()
			for b.Loop() {
				r, _ := cl.ClientReporter(ctx, meta)
				if r != nil {
					r.PostCall(nil, 0)
				}
			}
		})
	}
}

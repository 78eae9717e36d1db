package interop

import (
	"context"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// BenchmarkTracingUnary compares, in one run, a unary call over bufconn without tracing, with
// grpcobs tracing on both sides, and with otelgrpc's stats handlers on both sides (its metrics
// go to the global meter provider, a no-op: only its tracing is measured). Every span is
// sampled and goes through a batch span processor to an exporter that drops it.
func BenchmarkTracingUnary(b *testing.B) {
	for _, setup := range []struct {
		name string
		opts func(tp trace.TracerProvider) []testsrv.Option
	}{
		{name: "bare", opts: func(trace.TracerProvider) []testsrv.Option { return nil }},
		{name: "grpcobs", opts: func(tp trace.TracerProvider) []testsrv.Option {
			return []testsrv.Option{
				testsrv.WithServerOptions(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tp)))...),
				testsrv.WithDialOptions(interceptors.DialOptions(tracing.NewClient(tracing.WithTracerProvider(tp)))...),
			}
		}},
		{name: "otelgrpc", opts: func(tp trace.TracerProvider) []testsrv.Option {
			return []testsrv.Option{
				testsrv.WithServerOptions(grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithTracerProvider(tp), otelgrpc.WithPropagators(w3c)))),
				testsrv.WithDialOptions(grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(tp), otelgrpc.WithPropagators(w3c)))),
			}
		}},
	} {
		b.Run(setup.name, func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()),
				sdktrace.WithSpanProcessor(sdktrace.NewBatchSpanProcessor(discard{})))
			b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			client := testsrv.Start(b, setup.opts(tp)...).Demo()
			ctx := context.Background()
			req := &demov1.EchoRequest{Message: "hello"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.Echo(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package tracing_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// discard is a span exporter that drops everything: the benchmarks measure the interceptors
// and the SDK's span handling, not an exporter.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// benchSetups are the configurations each benchmark compares, in one run: no interceptors at
// all, tracing on both sides with every span sampled and exported (to nowhere) by a batch
// processor, and tracing with no span sampled.
var benchSetups = []struct {
	name    string
	sampler sdktrace.Sampler // nil: no tracing
}{
	{name: "bare"},
	{name: "tracing", sampler: sdktrace.AlwaysSample()},
	{name: "tracing-unsampled", sampler: sdktrace.NeverSample()},
}

func startBench(b *testing.B, sampler sdktrace.Sampler) demov1.DemoServiceClient {
	b.Helper()
	if sampler == nil {
		return testsrv.Start(b).Demo()
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler), sdktrace.WithSpanProcessor(sdktrace.NewBatchSpanProcessor(discard{})))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	h := testsrv.Start(b,
		testsrv.WithServerOptions(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tp)))...),
		testsrv.WithDialOptions(interceptors.DialOptions(tracing.NewClient(tracing.WithTracerProvider(tp)))...))
	return h.Demo()
}

// BenchmarkUnary: one Echo call per op, over bufconn.
func BenchmarkUnary(b *testing.B) {
	for _, setup := range benchSetups {
		b.Run(setup.name, func(b *testing.B) {
			client := startBench(b, setup.sampler)
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

// BenchmarkServerStream: one ServerStream call of 10 messages per op, over bufconn.
func BenchmarkServerStream(b *testing.B) {
	for _, setup := range benchSetups {
		b.Run(setup.name, func(b *testing.B) {
			client := startBench(b, setup.sampler)
			ctx := context.Background()
			req := &demov1.ServerStreamRequest{Message: "hello", Count: 10}
			b.ReportAllocs()
			for b.Loop() {
				s, err := client.ServerStream(ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := s.Recv(); errors.Is(err, io.EOF) {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

package metrics_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/trace"
)

// sampledSpan puts a fixed sampled span context into every call's context, standing in for
// the tracing signal at no cost of its own, so that the benchmarks measure what exemplars cost.
type sampledSpan struct{}

var fixedSpan = trace.NewSpanContext(trace.SpanContextConfig{
	TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
	SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
	TraceFlags: trace.FlagsSampled,
})

func (sampledSpan) ServerReporter(ctx context.Context, _ interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return mw.NoopReporter{}, trace.ContextWithSpanContext(ctx, fixedSpan)
}

func (sampledSpan) ClientReporter(ctx context.Context, _ interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return mw.NoopReporter{}, trace.ContextWithSpanContext(ctx, fixedSpan)
}

// benchStacks are the configurations every benchmark runs: no interceptor at all, server and
// client metrics, the same with every call sampled (exemplars), and with the client's
// per-message histograms on.
func benchStacks(b *testing.B) map[string][]testsrv.Option {
	b.Helper()
	withMetrics := func(clientOpts []metrics.Option, first ...interface {
		interceptors.ServerReportable
		interceptors.ClientReportable
	}) []testsrv.Option {
		var server []interceptors.ServerReportable
		var client []interceptors.ClientReportable
		for _, f := range first {
			server, client = append(server, f), append(client, f)
		}
		server = append(server, metrics.NewServerMetrics())
		client = append(client, metrics.NewClientMetrics(clientOpts...))
		return []testsrv.Option{
			testsrv.WithServerOptions(interceptors.ServerOptions(server...)...),
			testsrv.WithDialOptions(interceptors.DialOptions(client...)...),
		}
	}
	return map[string][]testsrv.Option{
		"bare":              nil,
		"metrics":           withMetrics(nil),
		"metrics+exemplars": withMetrics(nil, sampledSpan{}),
		"metrics+msg-histograms": withMetrics([]metrics.Option{
			metrics.WithClientStreamSendHistogram(), metrics.WithClientStreamRecvHistogram(),
		}),
	}
}

// BenchmarkUnary is one Echo call per operation, over bufconn.
func BenchmarkUnary(b *testing.B) {
	for _, name := range []string{"bare", "metrics", "metrics+exemplars"} {
		b.Run(name, func(b *testing.B) {
			client := testsrv.Start(b, benchStacks(b)[name]...).Demo()
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

// BenchmarkStream is one Chat stream per operation: open, one request, one response, close.
func BenchmarkStream(b *testing.B) {
	for _, name := range []string{"bare", "metrics", "metrics+exemplars", "metrics+msg-histograms"} {
		b.Run(name, func(b *testing.B) {
			client := testsrv.Start(b, benchStacks(b)[name]...).Demo()
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

// BenchmarkReporter is the metrics' own share of a unary server call, without gRPC: start,
// one message each way, end.
func BenchmarkReporter(b *testing.B) {
	sampled := trace.ContextWithSpanContext(context.Background(), fixedSpan)
	echo := mw.NewServerCallMeta("/grpcobs.demo.v1.DemoService/Echo", nil, nil)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		meta interceptors.CallMeta
		opts []metrics.Option
	}{
		{"known method", context.Background(), echo, nil},
		{"unknown method", context.Background(), mw.NewServerCallMeta("/made.up.v1.Service/Method", nil, nil), nil},
		// The default exemplar interval: nearly every call finds its exemplar slots taken.
		{"known method, sampled", sampled, echo, nil},
		// Two exemplars on every call.
		{"known method, sampled, exemplar interval 0", sampled, echo, []metrics.Option{metrics.WithExemplarInterval(0)}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m := metrics.NewServerMetrics(tc.opts...)
			b.ReportAllocs()
			for b.Loop() {
				rep, _ := m.ServerReporter(tc.ctx, tc.meta)
				rep.PostMsgReceive(nil, nil, time.Microsecond)
				rep.PostMsgSend(nil, nil, time.Microsecond)
				rep.PostCall(nil, time.Millisecond)
			}
		})
	}
}

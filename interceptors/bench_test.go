package interceptors_test

import (
	"context"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
)

// noopSignal costs nothing itself, so the benchmark shows what the plumbing costs.
type noopSignal struct{}

func (noopSignal) ServerReporter(ctx context.Context, _ interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return noopCall{}, ctx
}
func (noopSignal) ClientReporter(ctx context.Context, _ interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return noopCall{}, ctx
}

type noopCall struct{}

func (noopCall) PostCall(error, time.Duration)            {}
func (noopCall) PostMsgSend(any, error, time.Duration)    {}
func (noopCall) PostMsgReceive(any, error, time.Duration) {}

func benchHarness(b *testing.B, withStack bool) demov1.DemoServiceClient {
	if !withStack {
		return testsrv.Start(b).Demo()
	}
	signals := []interceptors.ServerReportable{noopSignal{}, noopSignal{}, noopSignal{}}
	clientSignals := []interceptors.ClientReportable{noopSignal{}, noopSignal{}, noopSignal{}}
	return testsrv.Start(b,
		testsrv.WithServerOptions(interceptors.ServerOptions(signals...)...),
		testsrv.WithDialOptions(interceptors.DialOptions(clientSignals...)...)).Demo()
}

func BenchmarkPlumbingUnary(b *testing.B) {
	for _, tc := range []struct {
		name  string
		stack bool
	}{{"bare", false}, {"stack3", true}} {
		b.Run(tc.name, func(b *testing.B) {
			client := benchHarness(b, tc.stack)
			ctx := context.Background()
			req := &demov1.EchoRequest{Message: "benchmark payload"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.Echo(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPlumbingServerStream(b *testing.B) {
	for _, tc := range []struct {
		name  string
		stack bool
	}{{"bare", false}, {"stack3", true}} {
		b.Run(tc.name, func(b *testing.B) {
			client := benchHarness(b, tc.stack)
			ctx := context.Background()
			req := &demov1.ServerStreamRequest{Message: "benchmark payload", Count: 10}
			b.ReportAllocs()
			for b.Loop() {
				stream, err := client.ServerStream(ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := stream.Recv(); err != nil {
						break
					}
				}
			}
		})
	}
}

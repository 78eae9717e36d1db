package attempts_test

import (
	"io"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
)

// clientStack is the client's whole stack, following attempts or not.
func clientStack(tb testing.TB, attempts bool) []grpc.DialOption {
	tb.Helper()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracetest.NewSpanRecorder()))
	tb.Cleanup(func() { _ = tp.Shutdown(tb.Context()) })
	logger := logrus.New()
	logger.SetOutput(io.Discard)
	tracingOpts := []tracing.Option{tracing.WithTracerProvider(tp)}
	var metricsOpts []metrics.Option
	if attempts {
		tracingOpts = append(tracingOpts, tracing.WithAttemptSpans())
		metricsOpts = append(metricsOpts, metrics.WithAttempts())
	}
	return interceptors.DialOptions(
		tracing.NewClient(tracingOpts...),
		metrics.NewClientMetrics(metricsOpts...),
		logging.NewClient(logger),
	)
}

// Without a signal asking for attempts, DialOptions returns the two interceptors alone: no
// stats handler, so grpc-go reports no attempt events and the stack records none.
func TestDialOptionsInstallTheStatsHandlerOnlyWhenAsked(t *testing.T) {
	for _, tc := range []struct {
		attempts bool
		want     int
	}{{false, 2}, {true, 3}} {
		if got := len(clientStack(t, tc.attempts)); got != tc.want {
			t.Errorf("attempts=%v: DialOptions returned %d options, want %d", tc.attempts, got, tc.want)
		}
	}
}

// BenchmarkNeverRetried is the cost of following attempts on a unary call that is not
// retried (one attempt span, one attempts increment): compare "attempts=off" and
// "attempts=on" of the same run.
//
//	go test -run '^$' -bench NeverRetried -benchmem ./internal/attempts/
func BenchmarkNeverRetried(b *testing.B) {
	for _, attempts := range []bool{false, true} {
		name := "attempts=off"
		if attempts {
			name = "attempts=on"
		}
		b.Run(name, func(b *testing.B) {
			h := testsrv.Start(b, testsrv.WithDialOptions(clientStack(b, attempts)...))
			c := h.Demo()
			req := &demov1.EchoRequest{Message: "hi"}
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Echo(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

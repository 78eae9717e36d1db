package logging_test

import (
	"context"
	"strings"
	"testing"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func panicInHandler(ctx context.Context, _, message string) (context.Context, func(error)) {
	if message == "panic" {
		panic("boom")
	}
	return ctx, func(error) {}
}

func TestAHandlerPanicIsLoggedWithItsStack(t *testing.T) {
	recoverInside := grpc.ChainUnaryInterceptor(recovery.UnaryServerInterceptor(
		recovery.WithRecoveryHandlerContext(interceptors.RecoverPanic)))
	recoverOutside := grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if recover() != nil {
				err = status.Error(codes.Internal, "recovered outside the stack")
			}
		}()
		return handler(ctx, req)
	})
	for _, tc := range []struct {
		name      string
		cfg       rigConfig
		clientErr string
	}{
		{"recovery inside the stack", rigConfig{innerServer: []grpc.ServerOption{recoverInside}},
			"rpc error: code = Internal desc = internal error: the handler panicked"},
		{"recovery outside the stack", rigConfig{outerServer: []grpc.ServerOption{recoverOutside}},
			"rpc error: code = Internal desc = recovered outside the stack"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.harness = []testsrv.Option{withHook(panicInHandler)}
			r := startRig(t, tc.cfg)
			_, err := r.Demo().Echo(noDeadline(t), echoRequest("panic"))
			if err == nil || err.Error() != tc.clientErr {
				t.Fatalf("Echo = %v, want %s", err, tc.clientErr)
			}
			server := r.serverLog.wait(t, 1)[0]
			stack, _ := server.Data["grpc.panic_stack"].(string)
			if !strings.Contains(stack, "panicInHandler") {
				t.Errorf("grpc.panic_stack does not show the panicking function:\n%s", stack)
			}
			span := r.serverSpans.only(t)
			checkEntry(t, server, logrus.ErrorLevel, "finished call", map[string]any{
				"grpc.component":   "server",
				"grpc.service":     demoService,
				"grpc.method":      "Echo",
				"grpc.method_type": "unary",
				"grpc.code":        "Internal",
				"grpc.time_ms":     r.serverSpans.timeMS(t, span),
				"peer.address":     "bufconn",
				"trace_id":         span.SpanContext().TraceID().String(),
				"span_id":          span.SpanContext().SpanID().String(),
				"error":            "panic: boom",
				"grpc.panic_stack": stack,
			})
			client := r.clientLog.wait(t, 1)[0]
			if client.Level != logrus.ErrorLevel || client.Data["grpc.code"] != "Internal" {
				t.Errorf("client line at %v with code %v, want error and Internal", client.Level, client.Data["grpc.code"])
			}
		})
	}
}

package interceptors_test

import (
	"context"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func rejectAll(context.Context, any, *grpc.UnaryServerInfo, grpc.UnaryHandler) (any, error) {
	return nil, status.Error(codes.PermissionDenied, "rejected")
}

// A legacy grpc.UnaryInterceptor runs outside the stack wherever it is listed, so what it
// rejects is not recorded; chained with grpc.ChainUnaryInterceptor after the stack, it runs
// inside and its rejections are recorded with the caller's code.
func TestLegacyInterceptorOptionRunsOutsideTheStack(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reject    grpc.ServerOption
		wantCalls int
	}{
		{"grpc.UnaryInterceptor", grpc.UnaryInterceptor(rejectAll), 0},
		{"grpc.ChainUnaryInterceptor", grpc.ChainUnaryInterceptor(rejectAll), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder("server", nil)
			opts := append(interceptors.ServerOptions(rec), tc.reject)
			h := testsrv.Start(t, testsrv.WithServerOptions(opts...))
			if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{}); status.Code(err) != codes.PermissionDenied {
				t.Fatalf("Echo = %v, want PermissionDenied", err)
			}
			calls := rec.snapshot()
			if len(calls) != tc.wantCalls {
				t.Fatalf("the stack recorded %d calls, want %d", len(calls), tc.wantCalls)
			}
			if tc.wantCalls == 1 {
				if o := onlyCall(t, rec).outcome(); o.Code != codes.PermissionDenied {
					t.Errorf("recorded %v, want PermissionDenied", o.Code)
				}
			}
		})
	}
}

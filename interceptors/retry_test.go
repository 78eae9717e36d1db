package interceptors_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// retryServiceConfig retries every DemoService call that fails with UNAVAILABLE, up to three
// attempts.
const retryServiceConfig = `{"methodConfig": [{
	"name": [{"service": "grpcobs.demo.v1.DemoService"}],
	"retryPolicy": {
		"maxAttempts": 3,
		"initialBackoff": "0.01s",
		"maxBackoff": "0.01s",
		"backoffMultiplier": 1,
		"retryableStatusCodes": ["UNAVAILABLE"]
	}
}]}`

// failFirstAttempt is a server stream interceptor that fails the first attempt of each call
// with UNAVAILABLE before the handler sends anything, and counts the attempts.
type failFirstAttempt struct{ attempts atomic.Int32 }

func (f *failFirstAttempt) intercept(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if f.attempts.Add(1) == 1 {
		return status.Error(codes.Unavailable, "first attempt refused")
	}
	return handler(srv, ss)
}

// A retry policy goes on working on client streams under the stack: the stream wrapper must
// not commit the attempt (ClientStream.Context does) before grpc-go has decided to retry.
func TestRetryPolicyRetriesClientStreamsUnderTheStack(t *testing.T) {
	for _, tc := range []struct {
		name string
		call func(ctx context.Context, c demov1.DemoServiceClient) error
	}{
		{"server stream", func(ctx context.Context, c demov1.DemoServiceClient) error {
			return drainServerStream(ctx, c, &demov1.ServerStreamRequest{Count: 2})
		}},
		{"bidi", func(ctx context.Context, c demov1.DemoServiceClient) error {
			stream, err := c.Chat(ctx)
			if err != nil {
				return err
			}
			if err := stream.Send(&demov1.ChatRequest{Message: "hi"}); err != nil {
				return err
			}
			if _, err := stream.Recv(); err != nil {
				return err
			}
			if err := stream.CloseSend(); err != nil {
				return err
			}
			if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
				return fmt.Errorf("Recv after CloseSend = %v, want io.EOF", err)
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, instrumented := range []bool{false, true} {
				failer := &failFirstAttempt{}
				rec := newRecorder("client", nil)
				dial := []grpc.DialOption{grpc.WithDefaultServiceConfig(retryServiceConfig)}
				if instrumented {
					dial = append(dial, interceptors.DialOptions(rec)...)
				}
				h := testsrv.Start(t,
					testsrv.WithServerOptions(grpc.ChainStreamInterceptor(failer.intercept)),
					testsrv.WithDialOptions(dial...))
				err := tc.call(testContext(t), h.Demo())
				if err != nil {
					t.Fatalf("instrumented=%v: call = %v, want OK after a retry", instrumented, err)
				}
				if got := failer.attempts.Load(); got != 2 {
					t.Errorf("instrumented=%v: %d attempts reached the server, want 2", instrumented, got)
				}
				if instrumented {
					if o := onlyCall(t, rec).outcome(); o.PostCalls != 1 || o.Code != codes.OK {
						t.Errorf("recorded %d ends with %v, want one with OK", o.PostCalls, o.Code)
					}
				}
			}
		})
	}
}

// grpc-go's Header on a trailers-only response ends the stream and returns no error: the call
// is recorded with the status the caller then reads, not as cancelled.
func TestHeaderFirstOnATrailersOnlyResponseRecordsTheCallersCode(t *testing.T) {
	s := startStack(t)
	stream, err := s.h.Demo().ServerStream(testContext(t), &demov1.ServerStreamRequest{
		Count: 0, FailCode: int32(codes.PermissionDenied),
	})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	if _, err := stream.Header(); err != nil {
		t.Fatalf("Header = %v, want no error (grpc-go never fails it)", err)
	}
	if _, err := stream.Recv(); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("Recv = %v, want PermissionDenied", err)
	}
	for _, r := range []*recorder{s.client1, s.client2} {
		if o := onlyCall(t, r).outcome(); o.PostCalls != 1 || o.Code != codes.PermissionDenied {
			t.Errorf("client %s: ended %d times with %v, want once with PermissionDenied", r.name, o.PostCalls, o.Code)
		}
	}
}

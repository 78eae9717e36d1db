package firstlaw_test

import (
	"context"
	"sync"
	"testing"

	"github.com/grpcobs/grpcobs/internal/firstlaw"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// refuseOnce readies a run in which the server refuses the second stream once (see
// firstlaw.Refusal): the first attempt to reach the handler holds the server's only stream
// slot until the refusal arrives.
func refuseOnce(svc *service) setup {
	release := make(chan struct{})
	r := &firstlaw.Refusal{OnRefused: func() { close(release) }}
	svc.before = func(ctx context.Context, attempt int) error {
		if attempt == 1 {
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return nil
	}
	return setup{
		server: []grpc.ServerOption{grpc.MaxConcurrentStreams(1)},
		dial:   []grpc.DialOption{grpc.WithContextDialer(r.Dial)},
	}
}

// whileHeld makes a call that holds the server's only stream slot, then, once it reached the
// handler, the call the server refuses once.
func whileHeld(t *testing.T, w *world, refused func(ctx context.Context, c demov1.DemoServiceClient) callResult) []callResult {
	t.Helper()
	ctx, c := testContext(t), w.demo()
	var holder callResult
	var wg sync.WaitGroup
	wg.Go(func() {
		holder = serverStream(ctx, c, &demov1.ServerStreamRequest{Message: "holds the slot", Count: 1})
	})
	if err := w.svc.waitEntered(ctx, 1); err != nil {
		t.Fatalf("waiting for the holder to reach the handler: %v", err)
	}
	retried := refused(ctx, c)
	wg.Wait()
	return []callResult{holder, retried}
}

func TestTransparentRetryAsBare(t *testing.T) {
	runDifferential(t, []scenario{
		{
			name:    "unary refused before the handler",
			prepare: refuseOnce,
			calls: func(t *testing.T, w *world) []callResult {
				return whileHeld(t, w, func(ctx context.Context, c demov1.DemoServiceClient) callResult {
					return echo(ctx, c, &demov1.EchoRequest{Message: "refused, then retried"})
				})
			},
			wantCodes: []codes.Code{codes.OK, codes.OK}, wantAttempts: 2,
		},
		{
			name:    "server stream refused before the handler",
			prepare: refuseOnce,
			calls: func(t *testing.T, w *world) []callResult {
				return whileHeld(t, w, func(ctx context.Context, c demov1.DemoServiceClient) callResult {
					return serverStream(ctx, c, &demov1.ServerStreamRequest{Message: "refused, then retried", Count: 2})
				})
			},
			wantCodes: []codes.Code{codes.OK, codes.OK}, wantAttempts: 2,
		},
		{
			name:    "bidi stream refused before the handler",
			prepare: refuseOnce,
			calls: func(t *testing.T, w *world) []callResult {
				return whileHeld(t, w, func(ctx context.Context, c demov1.DemoServiceClient) callResult {
					return chat(ctx, c, []string{"refused", "then retried"})
				})
			},
			wantCodes: []codes.Code{codes.OK, codes.OK}, wantAttempts: 2,
		},
	})
}

package firstlaw_test

import (
	"context"
	"testing"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// abandoned is the result of a stream the caller stopped using and then cancelled: it never
// read a status, so what it got is its context's error.
func abandoned(method string, ctx context.Context, received []string) callResult {
	return resultOf(method, status.FromContextError(ctx.Err()).Err(), nil, nil, received)
}

// waitHandlers waits until n attempts have entered a handler and all of them have returned.
func waitHandlers(t *testing.T, w *world, n int) {
	t.Helper()
	ctx := testContext(t)
	if err := w.svc.waitEntered(ctx, n); err != nil {
		t.Fatalf("waiting for %d attempts to reach the handler: %v", n, err)
	}
	if err := w.svc.waitAllReturned(ctx); err != nil {
		t.Fatalf("waiting for the handler to return: %v", err)
	}
}

func TestEndingsAsBare(t *testing.T) {
	runDifferential(t, []scenario{
		{
			name: "CloseSend without reading, then cancel",
			calls: func(t *testing.T, w *world) []callResult {
				ctx, cancel := context.WithCancel(testContext(t))
				stream, err := w.demo().Chat(ctx)
				if err != nil {
					t.Fatalf("Chat: %v", err)
				}
				for _, m := range []string{"one", "two"} {
					if err := stream.Send(&demov1.ChatRequest{Message: m}); err != nil {
						t.Fatalf("Send: %v", err)
					}
				}
				if err := stream.CloseSend(); err != nil {
					t.Fatalf("CloseSend: %v", err)
				}
				waitHandlers(t, w, 1) // the server answered and ended the call; nobody reads it
				cancel()
				return []callResult{abandoned("Chat", ctx, nil)}
			},
			wantCodes: []codes.Code{codes.Canceled}, wantAttempts: 1,
		},
		{
			name: "CloseSend without reading, then read after the handler returned",
			calls: func(t *testing.T, w *world) []callResult {
				stream, err := w.demo().Chat(testContext(t))
				if err != nil {
					t.Fatalf("Chat: %v", err)
				}
				for _, m := range []string{"one", "two"} {
					if err := stream.Send(&demov1.ChatRequest{Message: m}); err != nil {
						t.Fatalf("Send: %v", err)
					}
				}
				if err := stream.CloseSend(); err != nil {
					t.Fatalf("CloseSend: %v", err)
				}
				waitHandlers(t, w, 1)
				received, err := drain(stream.Recv)
				return []callResult{endedStream("Chat", stream, received, err)}
			},
			wantCodes: []codes.Code{codes.OK}, wantAttempts: 1,
		},
		{
			name: "bidi stream abandoned after a reply, then cancelled",
			calls: func(t *testing.T, w *world) []callResult {
				ctx, cancel := context.WithCancel(testContext(t))
				stream, err := w.demo().Chat(ctx)
				if err != nil {
					t.Fatalf("Chat: %v", err)
				}
				if err := stream.Send(&demov1.ChatRequest{Message: "one"}); err != nil {
					t.Fatalf("Send: %v", err)
				}
				reply, err := stream.Recv()
				if err != nil {
					t.Fatalf("Recv: %v", err)
				}
				// The handler now waits for the next message, which never comes.
				cancel()
				return []callResult{abandoned("Chat", ctx, []string{reply.GetMessage()})}
			},
			wantCodes: []codes.Code{codes.Canceled}, wantAttempts: 1,
		},
		{
			name: "server stream abandoned before its first message, then cancelled",
			calls: func(t *testing.T, w *world) []callResult {
				ctx, cancel := context.WithCancel(testContext(t))
				_, err := w.demo().ServerStream(ctx, &demov1.ServerStreamRequest{Message: "slow", Count: 1, DelayMs: testTimeout.Milliseconds()})
				if err != nil {
					t.Fatalf("ServerStream: %v", err)
				}
				if err := w.svc.waitEntered(testContext(t), 1); err != nil {
					t.Fatalf("waiting for the handler: %v", err)
				}
				cancel()
				return []callResult{abandoned("ServerStream", ctx, nil)}
			},
			wantCodes: []codes.Code{codes.Canceled}, wantAttempts: 1,
		},
		{
			name: "ClientConn.Close mid bidi stream",
			calls: func(t *testing.T, w *world) []callResult {
				stream, err := w.demo().Chat(testContext(t))
				if err != nil {
					t.Fatalf("Chat: %v", err)
				}
				if err := stream.Send(&demov1.ChatRequest{Message: "one"}); err != nil {
					t.Fatalf("Send: %v", err)
				}
				reply, err := stream.Recv()
				if err != nil {
					t.Fatalf("Recv: %v", err)
				}
				if err := w.client.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				rest, err := drain(stream.Recv)
				return []callResult{endedStream("Chat", stream, append([]string{reply.GetMessage()}, rest...), err)}
			},
			wantCodes: []codes.Code{codes.Canceled}, wantAttempts: 1,
		},
		{
			name: "ClientConn.Close mid server stream, nobody reading",
			calls: func(t *testing.T, w *world) []callResult {
				_, err := w.demo().ServerStream(testContext(t), &demov1.ServerStreamRequest{Message: "slow", Count: 1, DelayMs: testTimeout.Milliseconds()})
				if err != nil {
					t.Fatalf("ServerStream: %v", err)
				}
				if err := w.svc.waitEntered(testContext(t), 1); err != nil {
					t.Fatalf("waiting for the handler: %v", err)
				}
				if err := w.client.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				// The caller never reads: what a read would tell it is the closing connection's
				// status (grpc-go's ErrClientConnClosing).
				return []callResult{resultOf("ServerStream", status.Error(codes.Canceled, "grpc: the client connection is closing"), nil, nil, nil)}
			},
			wantCodes: []codes.Code{codes.Canceled}, wantAttempts: 1,
		},
	})
}

package interceptors_test

import (
	"context"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/status"
)

// Every client stream must end exactly once, also when the caller walks away from it.
func TestAbandonedClientStreamsEndExactlyOnce(t *testing.T) {
	cases := []struct {
		name    string
		abandon func(t *testing.T, h *testsrv.Harness)
		want    codes.Code
	}{
		{
			name: "cancel without reading",
			want: codes.Canceled,
			abandon: func(t *testing.T, h *testsrv.Harness) {
				ctx, cancel := context.WithCancel(testContext(t))
				if _, err := h.Demo().ServerStream(ctx, &demov1.ServerStreamRequest{Count: 5, DelayMs: 50}); err != nil {
					t.Fatalf("ServerStream: %v", err)
				}
				cancel()
			},
		},
		{
			name: "deadline passes while nobody reads",
			want: codes.DeadlineExceeded,
			abandon: func(t *testing.T, h *testsrv.Harness) {
				// The stream must open before its deadline: the connection is made ready
				// first (under make test's load, 50ms once passed while it connected).
				connReady(t, h.Conn)
				ctx, cancel := context.WithTimeout(testContext(t), 50_000_000) // 50ms
				t.Cleanup(cancel)
				if _, err := h.Demo().Chat(ctx); err != nil {
					t.Fatalf("Chat: %v", err)
				}
			},
		},
		{
			name: "cancel after reading some",
			want: codes.Canceled,
			abandon: func(t *testing.T, h *testsrv.Harness) {
				ctx, cancel := context.WithCancel(testContext(t))
				stream, err := h.Demo().ServerStream(ctx, &demov1.ServerStreamRequest{Count: 100, DelayMs: 10})
				if err != nil {
					t.Fatalf("ServerStream: %v", err)
				}
				if _, err := stream.Recv(); err != nil {
					t.Fatalf("Recv: %v", err)
				}
				cancel()
			},
		},
		{
			// Header finishes a trailers-only stream while the caller's context is live: a
			// tentative finish (a retry inside the stack could still replace that stream), made
			// final when the context ends. The call keeps the code the stream finished with.
			name: "trailers-only header read, then cancel without reading",
			want: codes.NotFound,
			abandon: func(t *testing.T, h *testsrv.Harness) {
				ctx, cancel := context.WithCancel(testContext(t))
				stream, err := h.Demo().ServerStream(ctx, &demov1.ServerStreamRequest{FailCode: int32(codes.NotFound)})
				if err != nil {
					t.Fatalf("ServerStream: %v", err)
				}
				if md, err := stream.Header(); md != nil || err != nil {
					t.Fatalf("Header = %v, %v; want a trailers-only response (nil, nil)", md, err)
				}
				cancel()
			},
		},
		{
			name: "connection closed under the stream",
			want: codes.Canceled,
			abandon: func(t *testing.T, h *testsrv.Harness) {
				if _, err := h.Demo().Chat(testContext(t)); err != nil {
					t.Fatalf("Chat: %v", err)
				}
				if err := h.Conn.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startStack(t)
			tc.abandon(t, s.h)
			for _, r := range []*recorder{s.client1, s.client2} {
				call := onlyCall(t, r)
				if o := call.outcome(); o.PostCalls != 1 || o.Code != tc.want {
					t.Errorf("client %s: ended %d times with %v, want once with %v", r.name, o.PostCalls, o.Code, tc.want)
				}
			}
		})
	}
}

// connReady connects conn and waits until it is ready, without a call.
func connReady(t *testing.T, conn *grpc.ClientConn) {
	t.Helper()
	conn.Connect()
	for state := conn.GetState(); state != connectivity.Ready; state = conn.GetState() {
		if !conn.WaitForStateChange(testContext(t), state) {
			t.Fatalf("the connection never became ready (last %v)", state)
		}
	}
}

func TestCancelWhileReadingEndsOnceWithTheReadError(t *testing.T) {
	s := startStack(t)
	ctx, cancel := context.WithCancel(testContext(t))
	stream, err := s.h.Demo().ServerStream(ctx, &demov1.ServerStreamRequest{Count: 1, DelayMs: 60_000})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	readErr := make(chan error, 1)
	go func() {
		_, err := stream.Recv()
		readErr <- err
	}()
	cancel()
	if err := <-readErr; status.Code(err) != codes.Canceled {
		t.Fatalf("Recv = %v, want Canceled", err)
	}
	call := onlyCall(t, s.client1)
	if o := call.outcome(); o.PostCalls != 1 || o.Code != codes.Canceled {
		t.Errorf("ended %d times with %v, want once with Canceled", o.PostCalls, o.Code)
	}
}

func TestStreamThatFailsToStartEndsOnce(t *testing.T) {
	rec := newRecorder("first", nil)
	h := testsrv.Start(t, testsrv.WithDialOptions(interceptors.DialOptions(rec)...))
	ctx, cancel := context.WithCancel(testContext(t))
	cancel()
	if _, err := h.Demo().Chat(ctx); status.Code(err) != codes.Canceled {
		t.Fatalf("Chat on a cancelled context = %v, want Canceled", err)
	}
	if o := onlyCall(t, rec).outcome(); o.PostCalls != 1 || o.Code != codes.Canceled {
		t.Errorf("ended %d times with %v, want once with Canceled", o.PostCalls, o.Code)
	}
}

package interceptors_test

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/retry"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
)

// A caller that reads until its context is done, cancelled from another goroutine: grpc-go's
// context watcher finishes the stream while a RecvMsg may still hand back a buffered message,
// after which the caller never calls RecvMsg again. Every call must still be recorded, once.
func TestCancelDuringReceiveLoopRecordsEveryCall(t *testing.T) {
	const calls = 300
	rec := newRecorder("client", nil)
	h := testsrv.Start(t, testsrv.WithDialOptions(interceptors.DialOptions(rec)...))
	c := h.Demo()
	for i := range calls {
		ctx, cancel := context.WithCancel(testContext(t))
		stream, err := c.ServerStream(ctx, &demov1.ServerStreamRequest{Message: "m", Count: 1000})
		if err != nil {
			cancel()
			t.Fatalf("call %d: ServerStream: %v", i, err)
		}
		var cancelled sync.WaitGroup
		cancelled.Go(func() {
			time.Sleep(time.Duration(i%5) * 100 * time.Microsecond)
			cancel()
		})
		for ctx.Err() == nil {
			if _, err := stream.Recv(); err != nil {
				break
			}
		}
		cancelled.Wait()
	}
	got := rec.snapshot()
	if len(got) != calls {
		t.Fatalf("recorded %d calls, want %d", len(got), calls)
	}
	wait, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	inFlight := 0
	for _, call := range got {
		select {
		case <-call.done:
		case <-wait.Done():
		}
		o := call.outcome()
		if o.PostCalls == 0 {
			inFlight++
			continue
		}
		if o.PostCalls != 1 || (o.Code != codes.Canceled && o.Code != codes.OK) {
			t.Errorf("a call ended %d times with %v, want once with Canceled (or OK had it read the whole stream)", o.PostCalls, o.Code)
		}
	}
	if inFlight != 0 {
		t.Errorf("%d of %d calls never ended (in flight for good), want 0", inFlight, calls)
	}
}

// go-grpc-middleware's retry inside the stack, against a server that refuses connections for
// its first 400 ms: grpc-go finishes each failed creation (OnFinish) before the retry creates
// the stream again. The caller gets OK and every message, and so must the record.
func TestRetryInsideTheStackRecordsTheCallersOK(t *testing.T) {
	rec := newRecorder("client", nil)
	h := testsrv.Start(t, testsrv.WithTCP())
	up := time.Now().Add(400 * time.Millisecond)
	refuses := 0
	var mu sync.Mutex
	conn, err := h.Dial(
		grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
			if time.Now().Before(up) {
				mu.Lock()
				refuses++
				mu.Unlock()
				return nil, errors.New("server down")
			}
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		}),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.Config{BaseDelay: 50 * time.Millisecond, Multiplier: 1, MaxDelay: 50 * time.Millisecond}, MinConnectTimeout: time.Second}),
		grpc.WithChainStreamInterceptor(interceptors.StreamClientInterceptor(rec)),
		grpc.WithChainStreamInterceptor(retry.StreamClientInterceptor(
			retry.WithMax(40),
			retry.WithBackoff(retry.BackoffLinear(25*time.Millisecond)),
			retry.WithCodes(codes.Unavailable),
		)),
	)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })

	stream, err := demov1.NewDemoServiceClient(conn).ServerStream(testContext(t), &demov1.ServerStreamRequest{Message: "m", Count: 3})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	received := 0
	for {
		if _, err := stream.Recv(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("Recv after %d messages: %v, want io.EOF", received, err)
			}
			break
		}
		received++
	}
	mu.Lock()
	defer mu.Unlock()
	if received != 3 || refuses == 0 {
		t.Fatalf("the caller got %d messages after %d refused connections, want 3 after at least one", received, refuses)
	}
	if o := onlyCall(t, rec).outcome(); o.PostCalls != 1 || o.Code != codes.OK || o.Received != 3 {
		t.Errorf("recorded %d ends with %v and %d messages, want one with OK and 3", o.PostCalls, o.Code, o.Received)
	}
}

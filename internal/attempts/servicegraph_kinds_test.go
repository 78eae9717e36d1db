package attempts_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc/codes"
)

// callKind makes one call of a kind to the demo, in full: every message sent, then every
// response read to the status.
type callKind struct {
	method string
	call   func(ctx context.Context, c demov1.DemoServiceClient) (received int, err error)
}

var callKinds = []callKind{
	{"Echo", func(ctx context.Context, c demov1.DemoServiceClient) (int, error) {
		_, err := c.Echo(ctx, &demov1.EchoRequest{Message: "m"})
		return 1, err
	}},
	{"ServerStream", func(ctx context.Context, c demov1.DemoServiceClient) (int, error) {
		s, err := c.ServerStream(ctx, &demov1.ServerStreamRequest{Message: "m", Count: 2})
		if err != nil {
			return 0, err
		}
		return drainAll(s.Recv)
	}},
	{"ClientStream", func(ctx context.Context, c demov1.DemoServiceClient) (int, error) {
		s, err := c.ClientStream(ctx)
		if err != nil {
			return 0, err
		}
		for _, m := range []string{"a", "b"} {
			if err := s.Send(&demov1.ClientStreamRequest{Message: m}); err != nil {
				break // the status is CloseAndRecv's to tell
			}
		}
		_, err = s.CloseAndRecv()
		return 1, err
	}},
	{"Chat", func(ctx context.Context, c demov1.DemoServiceClient) (int, error) {
		s, err := c.Chat(ctx)
		if err != nil {
			return 0, err
		}
		for _, m := range []string{"a", "b"} {
			if err := s.Send(&demov1.ChatRequest{Message: m}); err != nil {
				break // the status is Recv's to tell
			}
		}
		if err := s.CloseSend(); err != nil {
			return 0, err
		}
		return drainAll(s.Recv)
	}},
}

// drainAll reads a stream to its status: the messages received, and nil for io.EOF.
func drainAll[T any](recv func() (T, error)) (int, error) {
	n := 0
	for {
		if _, err := recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
		n++
	}
}

// Service graphs and span-derived metrics for every kind of call, not only unary ones: with
// attempt spans on or off, retried or not, each attempt that reached the server is one edge,
// no server span is left without its CLIENT parent, and span-derived metrics count the call
// once and each attempt once. (The retry policy retries a stream until it commits, so a
// stream's first attempt refused by the server is retried like a unary call.)
func TestServiceGraphPairsEveryServerSpanOfEveryKind(t *testing.T) {
	const service = "grpcobs.demo.v1.DemoService"
	for _, kind := range callKinds {
		for _, sc := range []struct {
			name     string
			fail     []codes.Code
			attempts int
		}{
			{"never retried", nil, 1},
			{"retried once", []codes.Code{codes.Unavailable}, 2},
		} {
			for _, on := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%s/attempt spans %v", kind.method, sc.name, on), func(t *testing.T) {
					t.Parallel() // each in a world of its own; most of each is the wait for late duplicates
					w := startWorldWith(t, worldConfig{serviceConfig: retryPolicy(3, "0.01s", 1, ""), fail: sc.fail, noAttempts: !on})
					if _, err := kind.call(testContext(t), w.h.Demo()); err != nil {
						t.Fatalf("%s = %v, want OK", kind.method, err)
					}
					expectServiceGraph(t, w, service+"/"+kind.method, "Attempt."+service+"."+kind.method, sc.attempts, on)
				})
			}
		}
	}
}

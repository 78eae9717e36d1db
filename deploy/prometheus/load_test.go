package prometheus_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// scripted is a batch of identical calls of the demo service, and the code each must end with.
type scripted struct {
	method  string
	code    codes.Code
	calls   int
	delayMS int64
}

// scriptedLoad is run once, then twice more, by the real-Prometheus test. Echo mixes OK, a
// server error (Internal) and a caller's error (NotFound); ServerStream only succeeds;
// ClientStream only fails with a server error (Unavailable); Chat only fails with a caller's
// error (InvalidArgument), which must count on the client and not on the server. Each method
// makes an odd number of calls, so that no quantile's rank (0.5, 0.95 or 0.99 times the count)
// is a whole number that a bucket's count could equal: rounding then cannot move the quantile
// to another bucket.
var scriptedLoad = []scripted{
	{method: "Echo", code: codes.OK, calls: 3},
	{method: "Echo", code: codes.OK, calls: 2, delayMS: 30},
	{method: "Echo", code: codes.Internal, calls: 2},
	{method: "Echo", code: codes.NotFound, calls: 2},
	{method: "ServerStream", code: codes.OK, calls: 3},
	{method: "ClientStream", code: codes.Unavailable, calls: 1},
	{method: "Chat", code: codes.InvalidArgument, calls: 3},
}

// runLoad makes the calls of load through the harness' client and fails the test when a call
// ends with another code than its script says.
func runLoad(t *testing.T, h *testsrv.Harness, load []scripted) {
	t.Helper()
	client := h.Demo()
	for _, s := range load {
		for range s.calls {
			err := call(t.Context(), client, s)
			if got := status.Code(err); got != s.code {
				t.Fatalf("%s: code %v (%v), want %v", s.method, got, err, s.code)
			}
		}
	}
}

// call makes one call of s.method that asks the server to end with s.code.
func call(ctx context.Context, client demov1.DemoServiceClient, s scripted) error {
	failCode := int32(s.code)
	switch s.method {
	case "Echo":
		_, err := client.Echo(ctx, &demov1.EchoRequest{Message: "load", FailCode: failCode, DelayMs: s.delayMS})
		return err
	case "ServerStream":
		stream, err := client.ServerStream(ctx, &demov1.ServerStreamRequest{Message: "load", Count: 2, FailCode: failCode, DelayMs: s.delayMS})
		if err != nil {
			return err
		}
		return drain(func() error { _, err := stream.Recv(); return err })
	case "ClientStream":
		stream, err := client.ClientStream(ctx)
		if err != nil {
			return err
		}
		if err := stream.Send(&demov1.ClientStreamRequest{Message: "load", FailCode: failCode, DelayMs: s.delayMS}); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		_, err = stream.CloseAndRecv()
		return err
	case "Chat":
		stream, err := client.Chat(ctx)
		if err != nil {
			return err
		}
		if err := stream.Send(&demov1.ChatRequest{Message: "load", FailCode: failCode, DelayMs: s.delayMS}); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if err := stream.CloseSend(); err != nil {
			return err
		}
		return drain(func() error { _, err := stream.Recv(); return err })
	}
	return status.Errorf(codes.Unimplemented, "no script for method %q", s.method)
}

// drain receives until the stream ends, and returns nil for a clean end.
func drain(recv func() error) error {
	for {
		if err := recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// expectedCounts sums a load per method: calls, server errors and client errors, by the
// status policy the rules encode (checked against interceptors.DefaultStatusPolicy by rules_test.go).
type counts struct{ calls, serverErrors, clientErrors float64 }

func countByMethod(load []scripted, times int, isError func(isClient bool, c codes.Code) bool) map[string]counts {
	out := map[string]counts{}
	for _, s := range load {
		c := out[s.method]
		n := float64(s.calls * times)
		c.calls += n
		if isError(false, s.code) {
			c.serverErrors += n
		}
		if isError(true, s.code) {
			c.clientErrors += n
		}
		out[s.method] = c
	}
	return out
}

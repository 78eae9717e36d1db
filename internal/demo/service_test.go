package demo_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestEcho(t *testing.T) {
	client := testsrv.Start(t).Demo()
	resp, err := client.Echo(testContext(t), &demov1.EchoRequest{Message: "hello"})
	if err != nil {
		t.Fatalf("Echo: %v", err)
	}
	if got, want := resp.GetMessage(), "hello"; got != want {
		t.Errorf("Echo message = %q, want %q", got, want)
	}
}

func TestServerStreamSendsCountResponses(t *testing.T) {
	client := testsrv.Start(t).Demo()
	stream, err := client.ServerStream(testContext(t), &demov1.ServerStreamRequest{Message: "m", Count: 3})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	var got []string
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		got = append(got, resp.GetMessage())
	}
	want := []string{"m #1", "m #2", "m #3"}
	if len(got) != len(want) {
		t.Fatalf("got %d responses %q, want %q", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("response %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestServerStreamFailsAfterItsMessages(t *testing.T) {
	client := testsrv.Start(t).Demo()
	stream, err := client.ServerStream(testContext(t), &demov1.ServerStreamRequest{Count: 2, FailCode: int32(codes.DataLoss)})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	received := 0
	for {
		_, err = stream.Recv()
		if err != nil {
			break
		}
		received++
	}
	if received != 2 {
		t.Errorf("received %d messages before the error, want 2", received)
	}
	if got := status.Code(err); got != codes.DataLoss {
		t.Errorf("stream ended with %v (%v), want DataLoss", got, err)
	}
}

func TestServerStreamRejectsCountOutOfRange(t *testing.T) {
	client := testsrv.Start(t).Demo()
	for _, count := range []int32{-1, demo.MaxStreamCount + 1} {
		stream, err := client.ServerStream(testContext(t), &demov1.ServerStreamRequest{Count: count})
		if err != nil {
			t.Fatalf("ServerStream: %v", err)
		}
		_, err = stream.Recv()
		if got := status.Code(err); got != codes.InvalidArgument {
			t.Errorf("count %d: got %v (%v), want InvalidArgument", count, got, err)
		}
	}
}

func TestClientStreamJoinsMessages(t *testing.T) {
	client := testsrv.Start(t).Demo()
	stream, err := client.ClientStream(testContext(t))
	if err != nil {
		t.Fatalf("ClientStream: %v", err)
	}
	for _, m := range []string{"a", "b", "c"} {
		if err := stream.Send(&demov1.ClientStreamRequest{Message: m}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		t.Fatalf("CloseAndRecv: %v", err)
	}
	if got, want := resp.GetMessage(), "a b c"; got != want {
		t.Errorf("joined = %q, want %q", got, want)
	}
}

func TestChatAnswersEveryTurn(t *testing.T) {
	client := testsrv.Start(t, testsrv.WithTCP()).Demo()
	stream, err := client.Chat(testContext(t))
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	for _, m := range []string{"one", "two"} {
		if err := stream.Send(&demov1.ChatRequest{Message: m}); err != nil {
			t.Fatalf("Send: %v", err)
		}
		resp, err := stream.Recv()
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		if resp.GetMessage() != m {
			t.Errorf("turn answered %q, want %q", resp.GetMessage(), m)
		}
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("after CloseSend, Recv = %v, want io.EOF", err)
	}
}

func TestFailCodeEndsEveryKindWithThatCode(t *testing.T) {
	client := testsrv.Start(t).Demo()
	ctx := testContext(t)
	cases := []struct {
		failCode int32
		want     codes.Code
	}{
		{failCode: 1, want: codes.Canceled},
		{failCode: 5, want: codes.NotFound},
		{failCode: 13, want: codes.Internal},
		{failCode: 16, want: codes.Unauthenticated},
		{failCode: 17, want: codes.InvalidArgument},
		{failCode: 99, want: codes.InvalidArgument},
		{failCode: -3, want: codes.InvalidArgument},
	}
	for _, tc := range cases {
		_, err := client.Echo(ctx, &demov1.EchoRequest{FailCode: tc.failCode})
		if got := status.Code(err); got != tc.want {
			t.Errorf("Echo fail_code %d: got %v, want %v", tc.failCode, got, tc.want)
		}

		cs, err := client.ClientStream(ctx)
		if err != nil {
			t.Fatalf("ClientStream: %v", err)
		}
		_ = cs.Send(&demov1.ClientStreamRequest{FailCode: tc.failCode})
		_, err = cs.CloseAndRecv()
		if got := status.Code(err); got != tc.want {
			t.Errorf("ClientStream fail_code %d: got %v, want %v", tc.failCode, got, tc.want)
		}

		chat, err := client.Chat(ctx)
		if err != nil {
			t.Fatalf("Chat: %v", err)
		}
		_ = chat.Send(&demov1.ChatRequest{FailCode: tc.failCode})
		_, err = chat.Recv()
		if got := status.Code(err); got != tc.want {
			t.Errorf("Chat fail_code %d: got %v, want %v", tc.failCode, got, tc.want)
		}
	}
}

// handlerOutcomes returns a harness whose handlers report each message's outcome on the
// returned channel, so a test can see what the server did after the client gave up.
func handlerOutcomes(t *testing.T) (demov1.DemoServiceClient, <-chan error) {
	t.Helper()
	outcomes := make(chan error, 16)
	svc := demo.NewService(demo.WithHook(func(ctx context.Context, _, _ string) (context.Context, func(error)) {
		return ctx, func(err error) { outcomes <- err }
	}))
	h := testsrv.Start(t, testsrv.WithRegister(func(s *grpc.Server) { demov1.RegisterDemoServiceServer(s, svc) }))
	return h.Demo(), outcomes
}

func awaitOutcome(t *testing.T, outcomes <-chan error) error {
	t.Helper()
	select {
	case err := <-outcomes:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not finish after the caller went away")
		return nil
	}
}

func TestDelayBeyondDeadlineEndsPromptly(t *testing.T) {
	client, outcomes := handlerOutcomes(t)
	ctx, cancel := context.WithTimeout(testContext(t), 100*time.Millisecond)
	defer cancel()
	_, err := client.Echo(ctx, &demov1.EchoRequest{DelayMs: 60_000})
	if got := status.Code(err); got != codes.DeadlineExceeded {
		t.Fatalf("Echo with delay past the deadline: got %v, want DeadlineExceeded", err)
	}
	// The handler must stop waiting as soon as the deadline passes, not after 60 s. Its
	// context ends through its own deadline (DeadlineExceeded) or through the client's
	// RST_STREAM when that arrives first (Canceled): either way it is the context's error.
	switch got := status.Code(awaitOutcome(t, outcomes)); got {
	case codes.DeadlineExceeded, codes.Canceled:
	default:
		t.Errorf("handler ended with %v, want the context's error (DeadlineExceeded or Canceled)", got)
	}
}

func TestClientCancelMidStreamStopsTheHandler(t *testing.T) {
	client, outcomes := handlerOutcomes(t)
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	stream, err := client.Chat(ctx)
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if err := stream.Send(&demov1.ChatRequest{Message: "first"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("Recv: %v", err)
	}
	if err := awaitOutcome(t, outcomes); err != nil {
		t.Fatalf("first turn failed: %v", err)
	}
	if err := stream.Send(&demov1.ChatRequest{Message: "slow", DelayMs: 60_000}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	cancel()
	if _, err := stream.Recv(); status.Code(err) != codes.Canceled {
		t.Errorf("Recv after cancel = %v, want Canceled", err)
	}
	if got := status.Code(awaitOutcome(t, outcomes)); got != codes.Canceled {
		t.Errorf("handler ended with %v, want Canceled", got)
	}
}

func TestFailureFor(t *testing.T) {
	if err := demo.FailureFor(0); err != nil {
		t.Errorf("FailureFor(0) = %v, want nil", err)
	}
	for c := int32(1); c <= 16; c++ {
		if got := status.Code(demo.FailureFor(c)); got != codes.Code(c) {
			t.Errorf("FailureFor(%d) = %v, want %v", c, got, codes.Code(c))
		}
	}
}

func TestWaitHandlesHugeDelays(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := status.Code(demo.Wait(ctx, 1<<62)); got != codes.Canceled {
		t.Errorf("Wait with a huge delay on a cancelled context = %v, want Canceled", got)
	}
}

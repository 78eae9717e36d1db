package metrics_test

import (
	"context"
	"errors"
	"io"
	"testing"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// makeEveryKindOfCall makes calls of all four kinds, some failing:
//
//	Echo          3 calls: 2 OK, 1 NOT_FOUND
//	ServerStream  2 calls: 3 responses then OK; 2 responses then FAILED_PRECONDITION
//	ClientStream  1 call:  4 requests, 1 response, OK
//	Chat          1 call:  2 requests, 2 responses, OK
func makeEveryKindOfCall(ctx context.Context, t *testing.T, client demov1.DemoServiceClient) {
	t.Helper()
	for _, msg := range []string{"a", "b"} {
		if _, err := client.Echo(ctx, &demov1.EchoRequest{Message: msg}); err != nil {
			t.Fatalf("Echo: %v", err)
		}
	}
	if _, err := client.Echo(ctx, &demov1.EchoRequest{FailCode: int32(codes.NotFound)}); status.Code(err) != codes.NotFound {
		t.Fatalf("Echo with fail_code NOT_FOUND: got %v, want code NotFound", err)
	}

	if got, err := receiveAll(ctx, client, &demov1.ServerStreamRequest{Count: 3}); got != 3 || err != nil {
		t.Fatalf("ServerStream: got %d responses and %v, want 3 and nil", got, err)
	}
	req := &demov1.ServerStreamRequest{Count: 2, FailCode: int32(codes.FailedPrecondition)}
	if got, err := receiveAll(ctx, client, req); got != 2 || status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("failing ServerStream: got %d responses and %v, want 2 and code FailedPrecondition", got, err)
	}

	cs, err := client.ClientStream(ctx)
	if err != nil {
		t.Fatalf("ClientStream: %v", err)
	}
	for _, msg := range []string{"1", "2", "3", "4"} {
		if err := cs.Send(&demov1.ClientStreamRequest{Message: msg}); err != nil {
			t.Fatalf("ClientStream send: %v", err)
		}
	}
	if resp, err := cs.CloseAndRecv(); err != nil || resp.GetMessage() != "1 2 3 4" {
		t.Fatalf("ClientStream: got %v, %v; want \"1 2 3 4\", nil", resp, err)
	}

	chat, err := client.Chat(ctx)
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	for _, msg := range []string{"x", "y"} {
		if err := chat.Send(&demov1.ChatRequest{Message: msg}); err != nil {
			t.Fatalf("Chat send: %v", err)
		}
		if resp, err := chat.Recv(); err != nil || resp.GetMessage() != msg {
			t.Fatalf("Chat recv: got %v, %v; want %q, nil", resp, err, msg)
		}
	}
	if err := chat.CloseSend(); err != nil {
		t.Fatalf("Chat close: %v", err)
	}
	if _, err := chat.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Chat end: got %v, want io.EOF", err)
	}
}

// receiveAll reads a server stream to its end: the number of responses and the final error
// (nil for OK).
func receiveAll(ctx context.Context, client demov1.DemoServiceClient, req *demov1.ServerStreamRequest) (int, error) {
	stream, err := client.ServerStream(ctx, req)
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		if _, err := stream.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
		n++
	}
}

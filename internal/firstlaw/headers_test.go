package firstlaw_test

import (
	"context"
	"testing"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// denyEveryAttempt fails every attempt with PERMISSION_DENIED before any message: a
// trailers-only response.
func denyEveryAttempt(svc *service) setup {
	svc.before = func(context.Context, int) error {
		return status.Error(codes.PermissionDenied, "not for you")
	}
	return setup{}
}

// headerFirst reads Header before anything else, as grpc-gateway does on every stream, then
// reads to the end. The call's Header is the one read first.
func headerFirst(t *testing.T, method string, stream grpc.ClientStream, recv func() ([]string, error)) callResult {
	t.Helper()
	header, err := stream.Header()
	if err != nil {
		// grpc-go's Header fails only for a stream that ended without a status, which no
		// scenario here makes; a trailers-only response ends Header without an error.
		t.Errorf("Header: %v, want no error (the status is for RecvMsg to tell)", err)
	}
	received, err := recv()
	return resultOf(method, err, header, stream.Trailer(), received)
}

func headerFirstServerStream(t *testing.T, w *world, req *demov1.ServerStreamRequest) callResult {
	t.Helper()
	stream, err := w.demo().ServerStream(testContext(t), req)
	if err != nil {
		return resultOf("ServerStream", err, nil, nil, nil)
	}
	return headerFirst(t, "ServerStream", stream, func() ([]string, error) { return drain(stream.Recv) })
}

func headerFirstChat(t *testing.T, w *world, messages ...string) callResult {
	t.Helper()
	stream, err := w.demo().Chat(testContext(t))
	if err != nil {
		return resultOf("Chat", err, nil, nil, nil)
	}
	for _, m := range messages {
		if stream.Send(&demov1.ChatRequest{Message: m}) != nil {
			break
		}
	}
	_ = stream.CloseSend()
	return headerFirst(t, "Chat", stream, func() ([]string, error) { return drain(stream.Recv) })
}

// wantTrailer fails the test unless the call got the service's trailer: it checks that a
// scenario about trailers really has one to compare.
func wantTrailer(t *testing.T, r callResult) callResult {
	t.Helper()
	if len(r.Trailer[trailerKey]) == 0 {
		t.Errorf("%s: trailer %v has no %s", r.Method, r.Trailer, trailerKey)
	}
	return r
}

func TestHeadersAndTrailersAsBare(t *testing.T) {
	runDifferential(t, []scenario{
		{
			name:    "Header first on a trailers-only error, server stream",
			prepare: denyEveryAttempt,
			calls: func(t *testing.T, w *world) []callResult {
				return []callResult{headerFirstServerStream(t, w, &demov1.ServerStreamRequest{Message: "denied", Count: 3})}
			},
			wantCodes: []codes.Code{codes.PermissionDenied}, wantAttempts: 1,
		},
		{
			name:    "Header first on a trailers-only error, bidi stream",
			prepare: denyEveryAttempt,
			calls: func(t *testing.T, w *world) []callResult {
				return []callResult{headerFirstChat(t, w, "denied")}
			},
			wantCodes: []codes.Code{codes.PermissionDenied}, wantAttempts: 1,
		},
		{
			name: "Header first on an OK server stream",
			calls: func(t *testing.T, w *world) []callResult {
				return []callResult{headerFirstServerStream(t, w, &demov1.ServerStreamRequest{Message: "fine", Count: 3})}
			},
			wantCodes: []codes.Code{codes.OK}, wantAttempts: 1,
		},
		{
			name: "Header first on an OK bidi stream",
			calls: func(t *testing.T, w *world) []callResult {
				return []callResult{headerFirstChat(t, w, "one", "two")}
			},
			wantCodes: []codes.Code{codes.OK}, wantAttempts: 1,
		},
		{
			name: "Header first on a stream that fails after messages",
			calls: func(t *testing.T, w *world) []callResult {
				return []callResult{headerFirstServerStream(t, w, &demov1.ServerStreamRequest{Message: "some", Count: 2, FailCode: int32(codes.NotFound)})}
			},
			wantCodes: []codes.Code{codes.NotFound}, wantAttempts: 1,
		},
		{
			name: "Trailer after the end, every kind",
			calls: func(t *testing.T, w *world) []callResult {
				ctx, c := testContext(t), w.demo()
				return []callResult{
					wantTrailer(t, echo(ctx, c, &demov1.EchoRequest{Message: "unary"})),
					wantTrailer(t, echo(ctx, c, &demov1.EchoRequest{Message: "unary", FailCode: int32(codes.AlreadyExists)})),
					wantTrailer(t, serverStream(ctx, c, &demov1.ServerStreamRequest{Message: "server", Count: 2})),
					wantTrailer(t, serverStream(ctx, c, &demov1.ServerStreamRequest{Message: "server", Count: 1, FailCode: int32(codes.Aborted)})),
					wantTrailer(t, clientStream(ctx, c, []string{"client", "stream"})),
					wantTrailer(t, chat(ctx, c, []string{"bidi", "stream"})),
				}
			},
			wantCodes:    []codes.Code{codes.OK, codes.AlreadyExists, codes.OK, codes.Aborted, codes.OK, codes.OK},
			wantAttempts: 6,
		},
	})
}

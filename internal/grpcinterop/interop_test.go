package grpcinterop_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/internal/firstlaw"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
)

// interopCase is one of grpc-go's interop client cases, and the codes its calls get.
type interopCase struct {
	name string
	run  func(ctx context.Context, conn *grpc.ClientConn)
	// client are the codes of the case's calls, which the case itself checks.
	client []codes.Code
	// server are the codes the server's handlers return, or nil when that is a race: a call
	// cancelled or timed out right after it began may reach the handler or not.
	server []codes.Code
}

// with adapts a case that takes a TestServiceClient.
func with(do func(context.Context, testgrpc.TestServiceClient, ...grpc.CallOption)) func(context.Context, *grpc.ClientConn) {
	return func(ctx context.Context, conn *grpc.ClientConn) { do(ctx, testgrpc.NewTestServiceClient(conn)) }
}

var cases = []interopCase{
	{name: "empty_unary", run: with(interop.DoEmptyUnaryCall), client: ok(1), server: ok(1)},
	{name: "large_unary", run: with(interop.DoLargeUnaryCall), client: ok(1), server: ok(1)},
	{name: "client_streaming", run: with(interop.DoClientStreaming), client: ok(1), server: ok(1)},
	{name: "server_streaming", run: with(interop.DoServerStreaming), client: ok(1), server: ok(1)},
	{name: "ping_pong", run: with(interop.DoPingPong), client: ok(1), server: ok(1)},
	{name: "empty_stream", run: with(interop.DoEmptyStream), client: ok(1), server: ok(1)},
	{
		name: "timeout_on_sleeping_server", run: with(interop.DoTimeoutOnSleepingServer),
		client: []codes.Code{codes.DeadlineExceeded},
	},
	{
		name: "cancel_after_begin", run: with(interop.DoCancelAfterBegin),
		client: []codes.Code{codes.Canceled},
	},
	{
		name: "cancel_after_first_response", run: with(interop.DoCancelAfterFirstResponse),
		client: []codes.Code{codes.Canceled}, server: []codes.Code{codes.Canceled},
	},
	{name: "custom_metadata", run: with(interop.DoCustomMetadata), client: ok(2), server: ok(2)},
	{
		name: "status_code_and_message", run: with(interop.DoStatusCodeAndMessage),
		client: []codes.Code{codes.Unknown, codes.Unknown}, server: []codes.Code{codes.Unknown, codes.Unknown},
	},
	{
		name: "special_status_message", run: with(interop.DoSpecialStatusMessage),
		client: []codes.Code{codes.Unknown}, server: []codes.Code{codes.Unknown},
	},
	{
		// grpc-go answers a call to an unknown service itself: no interceptor sees it.
		name: "unimplemented_service",
		run: func(ctx context.Context, conn *grpc.ClientConn) {
			interop.DoUnimplementedService(ctx, testgrpc.NewUnimplementedServiceClient(conn))
		},
		client: []codes.Code{codes.Unimplemented}, server: []codes.Code{},
	},
	{
		// TestService declares UnimplementedCall, which the test server does not implement:
		// the call goes through the stack to the generated Unimplemented handler.
		name:   "unimplemented_method",
		run:    interop.DoUnimplementedMethod,
		client: []codes.Code{codes.Unimplemented}, server: []codes.Code{codes.Unimplemented},
	},
}

func ok(n int) []codes.Code {
	out := make([]codes.Code, n)
	for i := range out {
		out[i] = codes.OK
	}
	return out
}

func TestInteropCasesThroughTheStack(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			obs, server, client := firstlaw.FullStack(t)
			h := testsrv.Start(t,
				testsrv.WithServerOptions(server...),
				testsrv.WithRegister(func(s *grpc.Server) {
					testgrpc.RegisterTestServiceServer(s, interop.NewTestServer())
				}),
			)
			conn, err := h.Dial(client...)
			if err != nil {
				t.Fatalf("dial through the client stack: %v", err)
			}
			defer func() { _ = conn.Close() }()
			ctx, cancel := context.WithTimeout(context.Background(), firstlaw.Timeout)
			defer cancel()

			done := caseLogger.running(t)
			c.run(ctx, conn)
			done()

			obs.ExpectRecords(t, firstlaw.ClientSide, c.client)
			got := obs.ExpectAgreement(t, firstlaw.ServerSide)
			if c.server != nil {
				if diff := cmp.Diff(firstlaw.CodeNames(c.server), got); diff != "" {
					t.Errorf("codes the server recorded (-want +got):\n%s", diff)
				}
			}
		})
	}
}

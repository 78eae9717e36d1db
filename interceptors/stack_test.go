package interceptors_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.uber.org/goleak"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const demoService = "grpcobs.demo.v1.DemoService"

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// stack starts a harness whose server and client each run the stack with two recorders.
type stack struct {
	h                                  *testsrv.Harness
	server1, server2, client1, client2 *recorder
	serverLog, clientLog               *eventLog
}

func startStack(t *testing.T, opts ...testsrv.Option) *stack {
	t.Helper()
	s := &stack{serverLog: &eventLog{}, clientLog: &eventLog{}}
	s.server1, s.server2 = newRecorder("first", s.serverLog), newRecorder("second", s.serverLog)
	s.client1, s.client2 = newRecorder("first", s.clientLog), newRecorder("second", s.clientLog)
	opts = append([]testsrv.Option{
		testsrv.WithServerOptions(interceptors.ServerOptions(s.server1, nil, s.server2, (*recorder)(nil))...),
		testsrv.WithDialOptions(interceptors.DialOptions((*recorder)(nil), s.client1, s.client2, nil)...),
	}, opts...)
	s.h = testsrv.Start(t, opts...)
	return s
}

// onlyCall returns the one call a recorder saw, once it has ended.
func onlyCall(t *testing.T, r *recorder) *recordedCall {
	t.Helper()
	calls := r.snapshot()
	if len(calls) != 1 {
		t.Fatalf("%s recorder saw %d calls, want 1", r.name, len(calls))
	}
	select {
	case <-calls[0].done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s recorder: the call never ended", r.name)
	}
	return calls[0]
}

func TestStackReportsEveryKindOnBothSides(t *testing.T) {
	cases := []struct {
		name       string
		call       func(ctx context.Context, c demov1.DemoServiceClient) error
		method     string
		typ        interceptors.GRPCType
		code       codes.Code
		clientSent int
		clientRecv int
	}{
		{
			name:   "unary",
			method: "Echo", typ: interceptors.Unary, clientSent: 1, clientRecv: 1,
			call: func(ctx context.Context, c demov1.DemoServiceClient) error {
				_, err := c.Echo(ctx, &demov1.EchoRequest{Message: "hi"})
				return err
			},
		},
		{
			name:   "unary failing",
			method: "Echo", typ: interceptors.Unary, code: codes.NotFound, clientSent: 1,
			call: func(ctx context.Context, c demov1.DemoServiceClient) error {
				_, err := c.Echo(ctx, &demov1.EchoRequest{FailCode: int32(codes.NotFound)})
				return err
			},
		},
		{
			name:   "server stream",
			method: "ServerStream", typ: interceptors.ServerStream, clientSent: 1, clientRecv: 3,
			call: func(ctx context.Context, c demov1.DemoServiceClient) error {
				return drainServerStream(ctx, c, &demov1.ServerStreamRequest{Count: 3})
			},
		},
		{
			name:   "server stream failing after its messages",
			method: "ServerStream", typ: interceptors.ServerStream, code: codes.DataLoss, clientSent: 1, clientRecv: 2,
			call: func(ctx context.Context, c demov1.DemoServiceClient) error {
				return drainServerStream(ctx, c, &demov1.ServerStreamRequest{Count: 2, FailCode: int32(codes.DataLoss)})
			},
		},
		{
			name:   "client stream",
			method: "ClientStream", typ: interceptors.ClientStream, clientSent: 3, clientRecv: 1,
			call: func(ctx context.Context, c demov1.DemoServiceClient) error {
				stream, err := c.ClientStream(ctx)
				if err != nil {
					return err
				}
				for range 3 {
					if err := stream.Send(&demov1.ClientStreamRequest{Message: "m"}); err != nil {
						return err
					}
				}
				_, err = stream.CloseAndRecv()
				return err
			},
		},
		{
			name:   "bidi",
			method: "Chat", typ: interceptors.BidiStream, clientSent: 2, clientRecv: 2,
			call: func(ctx context.Context, c demov1.DemoServiceClient) error {
				stream, err := c.Chat(ctx)
				if err != nil {
					return err
				}
				for range 2 {
					if err := stream.Send(&demov1.ChatRequest{Message: "m"}); err != nil {
						return err
					}
					if _, err := stream.Recv(); err != nil {
						return err
					}
				}
				if err := stream.CloseSend(); err != nil {
					return err
				}
				if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
					return err
				}
				return nil
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startStack(t)
			err := tc.call(testContext(t), s.h.Demo())
			if got := status.Code(err); got != tc.code {
				t.Fatalf("call ended with %v (%v), want %v", got, err, tc.code)
			}
			base := outcome{Service: demoService, Method: tc.method, Type: tc.typ, PostCalls: 1, Code: tc.code}
			wantClient := base
			wantClient.IsClient, wantClient.Sent, wantClient.Received = true, tc.clientSent, tc.clientRecv
			wantServer := base
			wantServer.Sent, wantServer.Received = tc.clientRecv, tc.clientSent

			for _, r := range []*recorder{s.client1, s.client2} {
				if diff := cmp.Diff(wantClient, onlyCall(t, r).outcome()); diff != "" {
					t.Errorf("client %s recorder (-want +got):\n%s", r.name, diff)
				}
			}
			for _, r := range []*recorder{s.server1, s.server2} {
				if diff := cmp.Diff(wantServer, onlyCall(t, r).outcome()); diff != "" {
					t.Errorf("server %s recorder (-want +got):\n%s", r.name, diff)
				}
			}
		})
	}
}

func drainServerStream(ctx context.Context, c demov1.DemoServiceClient, req *demov1.ServerStreamRequest) error {
	stream, err := c.ServerStream(ctx, req)
	if err != nil {
		return err
	}
	for {
		if _, err := stream.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func TestStackOrderContextAndDuration(t *testing.T) {
	s := startStack(t)
	if _, err := s.h.Demo().Echo(testContext(t), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	for side, recs := range map[string][2]*recorder{"server": {s.server1, s.server2}, "client": {s.client1, s.client2}} {
		first, second := onlyCall(t, recs[0]), onlyCall(t, recs[1])
		if len(first.sawCtxKeys) != 0 {
			t.Errorf("%s: the first reportable saw %v in its context, want nothing", side, first.sawCtxKeys)
		}
		if diff := cmp.Diff([]string{"first"}, second.sawCtxKeys); diff != "" {
			t.Errorf("%s: the second reportable must see the first one's context (-want +got):\n%s", side, diff)
		}
		if first.duration != second.duration || first.duration <= 0 {
			t.Errorf("%s: durations %v and %v, want one positive duration for all", side, first.duration, second.duration)
		}
	}
	want := []string{"first.start", "second.start", "second.end", "first.end"}
	if diff := cmp.Diff(want, s.serverLog.snapshot()); diff != "" {
		t.Errorf("server event order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, s.clientLog.snapshot()); diff != "" {
		t.Errorf("client event order (-want +got):\n%s", diff)
	}
}

func TestHandlerSeesTheDerivedContextOnStreams(t *testing.T) {
	var sawFirst, sawSecond bool
	rec1, rec2 := newRecorder("first", nil), newRecorder("second", nil)
	h := testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(rec1, rec2)...),
		testsrv.WithRegister(func(srv *grpcServer) {
			demov1.RegisterDemoServiceServer(srv, &contextProbe{seen: func(ctx context.Context) {
				sawFirst, sawSecond = ctx.Value(ctxKey("first")) != nil, ctx.Value(ctxKey("second")) != nil
			}})
		}))
	stream, err := h.Demo().Chat(testContext(t))
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv = %v, want io.EOF", err)
	}
	if !sawFirst || !sawSecond {
		t.Errorf("handler context carried first=%v second=%v, want both", sawFirst, sawSecond)
	}
}

package interceptors_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestPanicWithRecoveryInsideTheStack(t *testing.T) {
	rec := newRecorder("first", nil)
	recoveryOpt := recovery.WithRecoveryHandlerContext(interceptors.RecoverPanic)
	serverOpts := append(interceptors.ServerOptions(rec),
		grpc.ChainUnaryInterceptor(recovery.UnaryServerInterceptor(recoveryOpt)),
		grpc.ChainStreamInterceptor(recovery.StreamServerInterceptor(recoveryOpt)))
	probe := &contextProbe{seen: func(context.Context) {}}
	h := testsrv.Start(t, testsrv.WithServerOptions(serverOpts...),
		testsrv.WithRegister(func(s *grpc.Server) { demov1.RegisterDemoServiceServer(s, probe) }))

	_, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{Message: "panic"})
	st := status.Convert(err)
	if st.Code() != codes.Internal {
		t.Fatalf("a panicking unary handler gave %v, want Internal", err)
	}
	if strings.Contains(st.Message(), "exploded") {
		t.Errorf("the caller must not see the panic value, got %q", st.Message())
	}

	stream, err := h.Demo().ServerStream(testContext(t), &demov1.ServerStreamRequest{Message: "panic"})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	if _, err := stream.Recv(); status.Code(err) != codes.Internal {
		t.Fatalf("a panicking stream handler gave %v, want Internal", err)
	}

	calls := rec.snapshot()
	if len(calls) != 2 {
		t.Fatalf("recorded %d calls, want 2", len(calls))
	}
	for i, want := range []string{"handler exploded", "stream handler exploded"} {
		var perr *interceptors.PanicError
		if !errors.As(calls[i].err, &perr) {
			t.Fatalf("call %d ended with %T %v, want a *PanicError", i, calls[i].err, calls[i].err)
		}
		if perr.Value != want || len(perr.Stack) == 0 {
			t.Errorf("call %d: panic value %v with %d bytes of stack, want %q with a stack", i, perr.Value, len(perr.Stack), want)
		}
		if o := calls[i].outcome(); o.PostCalls != 1 || o.Code != codes.Internal {
			t.Errorf("call %d: %d PostCalls with %v, want 1 with Internal", i, o.PostCalls, o.Code)
		}
	}
}

// Without recovery, the panic goes on (it is not observability's to swallow), but the call is
// still reported first.
func TestUnrecoveredPanicIsReportedThenRethrown(t *testing.T) {
	rec := newRecorder("first", nil)
	unary := interceptors.UnaryServerInterceptor(rec)
	stream := interceptors.StreamServerInterceptor(rec)

	recovered := func(f func()) (value any) {
		defer func() { value = recover() }()
		f()
		return nil
	}
	got := recovered(func() {
		_, _ = unary(context.Background(), &demov1.EchoRequest{}, &grpc.UnaryServerInfo{FullMethod: "/s.S/M"},
			func(context.Context, any) (any, error) { panic("boom") })
	})
	if got != "boom" {
		t.Fatalf("unary: recovered %v, want the handler's panic to go on", got)
	}
	got = recovered(func() {
		_ = stream(nil, &fakeServerStream{ctx: context.Background()}, &grpc.StreamServerInfo{FullMethod: "/s.S/M", IsServerStream: true},
			func(any, grpc.ServerStream) error { panic("stream boom") })
	})
	if got != "stream boom" {
		t.Fatalf("stream: recovered %v, want the handler's panic to go on", got)
	}
	for i, call := range rec.snapshot() {
		var perr *interceptors.PanicError
		if !errors.As(call.err, &perr) || call.outcome().PostCalls != 1 {
			t.Errorf("call %d: ended %d times with %v, want once with a *PanicError", i, call.outcome().PostCalls, call.err)
		}
	}
}

type fakeServerStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (f *fakeServerStream) Context() context.Context { return f.ctx }

// panickingReporter panics when told the call ended, like a logrus hook that panics.
type panickingReporter struct{ postCalls *int }

func (p panickingReporter) ServerReporter(ctx context.Context, _ interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return p, ctx
}
func (p panickingReporter) PostCall(error, time.Duration) {
	*p.postCalls++
	panic("reporter exploded")
}
func (panickingReporter) PostMsgSend(any, error, time.Duration)    {}
func (panickingReporter) PostMsgReceive(any, error, time.Duration) {}

// A reporter's own panic is not a handler panic: the call is not reported a second time.
func TestReporterPanicIsNotReportedAsAHandlerPanic(t *testing.T) {
	var postCalls int
	unary := interceptors.UnaryServerInterceptor(panickingReporter{postCalls: &postCalls})
	stream := interceptors.StreamServerInterceptor(panickingReporter{postCalls: &postCalls})
	for name, call := range map[string]func(){
		"unary": func() {
			_, _ = unary(context.Background(), nil, &grpc.UnaryServerInfo{FullMethod: "/s.S/M"},
				func(context.Context, any) (any, error) { return nil, nil })
		},
		"stream": func() {
			_ = stream(nil, &fakeServerStream{ctx: context.Background()}, &grpc.StreamServerInfo{FullMethod: "/s.S/M"},
				func(any, grpc.ServerStream) error { return nil })
		},
	} {
		postCalls = 0
		got := func() (value any) {
			defer func() { value = recover() }()
			call()
			return nil
		}()
		if got != "reporter exploded" || postCalls != 1 {
			t.Errorf("%s: recovered %v after %d PostCalls, want the reporter's panic after exactly 1", name, got, postCalls)
		}
	}
}

package metrics_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// wantCallEnded checks that each side counted the call of the method as handled exactly once,
// with the client's code and one of the server's codes, and that neither side counts it in
// flight any more. The server may notice the end after the client returned, hence the wait.
func wantCallEnded(t *testing.T, s *stack, l labels, clientCode codes.Code, serverCodes ...codes.Code) {
	t.Helper()
	for _, tc := range []struct {
		side  string
		codes []codes.Code
	}{{"client", []codes.Code{clientCode}}, {"server", serverCodes}} {
		handled := "grpc_" + tc.side + "_handled_total"
		// Wait for a count, not for a series: the series of a code exists, at 0, an instant
		// before it is incremented (WithLabelValues, then Inc).
		eventually(t, "the "+tc.side+" counted the call of "+l.String()+" as handled", func() bool {
			total := 0.0
			for _, n := range handledByCode(t, s.reg, handled, l) {
				total += n
			}
			return total > 0
		})
		got := handledByCode(t, s.reg, handled, l)
		if len(got) != 1 || !slices.ContainsFunc(tc.codes, func(c codes.Code) bool { return got[c.String()] == 1 }) {
			t.Errorf("%s%v by grpc_code = %v, want 1 call with one of %v", handled, l, got, tc.codes)
		}
		if got := value(t, s.reg, "grpc_"+tc.side+"_in_flight", l); got != 0 {
			t.Errorf("grpc_%s_in_flight%v = %v, want 0", tc.side, l, got)
		}
	}
}

// handledByCode is the count of handled calls of the method, by grpc_code.
func handledByCode(t *testing.T, g prometheus.Gatherer, name string, l labels) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, mf := range gather(t, g) {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if hasLabels(m, l) {
				out[labelMap(m.GetLabel())["grpc_code"]] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

// waitUntilServerIsHandling waits until the server counts a call of the method in flight.
func waitUntilServerIsHandling(t *testing.T, s *stack, l labels) {
	t.Helper()
	eventually(t, "the server handles "+l.String(), func() bool {
		return inFlight(t, s.reg, "grpc_server_in_flight", l) == 1
	})
	if got := value(t, s.reg, "grpc_client_in_flight", l); got != 1 {
		t.Fatalf("grpc_client_in_flight%v = %v while the call runs, want 1", l, got)
	}
}

func TestInFlightFallsWhenTheCallerCancelsAUnaryCall(t *testing.T) {
	s := startStack(t, stackConfig{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.Demo().Echo(ctx, &demov1.EchoRequest{DelayMs: 60_000})
		done <- err
	}()
	waitUntilServerIsHandling(t, s, demoMethod(interceptors.Unary, "Echo"))
	cancel()
	if err := <-done; status.Code(err) != codes.Canceled {
		t.Fatalf("cancelled Echo: got %v, want code Canceled", err)
	}
	wantCallEnded(t, s, demoMethod(interceptors.Unary, "Echo"), codes.Canceled, codes.Canceled)
}

func TestInFlightFallsWhenADeadlinePasses(t *testing.T) {
	s := startStack(t, stackConfig{})
	// Long enough that even a loaded machine starts the handler before the deadline: a call
	// that expired before the server saw it would prove nothing about the server side.
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.Demo().Echo(ctx, &demov1.EchoRequest{DelayMs: 60_000})
		done <- err
	}()
	waitUntilServerIsHandling(t, s, demoMethod(interceptors.Unary, "Echo"))
	if err := <-done; status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("Echo past its deadline: got %v, want code DeadlineExceeded", err)
	}
	// The server ends with its own deadline, or with the cancel the client sends when its
	// deadline passes: whichever it notices first.
	wantCallEnded(t, s, demoMethod(interceptors.Unary, "Echo"), codes.DeadlineExceeded, codes.DeadlineExceeded, codes.Canceled)
}

// A caller that stops reading a stream and cancels, or lets the deadline pass, never reads
// the final status: the call must still end, on both sides.
func TestInFlightFallsWhenTheCallerAbandonsAStream(t *testing.T) {
	for _, tc := range []struct {
		name string
		// open starts a stream, reads one response, and returns while the stream is still
		// open.
		open   func(ctx context.Context, t *testing.T, client demov1.DemoServiceClient)
		typ    interceptors.GRPCType
		method string
	}{
		{"server stream", openServerStream, interceptors.ServerStream, "ServerStream"},
		{"bidi stream", openChat, interceptors.BidiStream, "Chat"},
	} {
		t.Run(tc.name+", cancelled", func(t *testing.T) {
			s := startStack(t, stackConfig{})
			ctx, cancel := context.WithCancel(t.Context())
			tc.open(ctx, t, s.Demo())
			waitUntilServerIsHandling(t, s, demoMethod(tc.typ, tc.method))
			cancel()
			wantCallEnded(t, s, demoMethod(tc.typ, tc.method), codes.Canceled, codes.Canceled)
		})
		t.Run(tc.name+", deadline passed", func(t *testing.T) {
			s := startStack(t, stackConfig{})
			// The stream must open before its deadline passes: a call first makes the
			// connection ready, and the deadline is long enough for a loaded machine (with
			// 200ms and no such call, one run in 50 under load failed to connect in time).
			if _, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{}); err != nil {
				t.Fatalf("Echo: %v", err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			tc.open(ctx, t, s.Demo())
			wantCallEnded(t, s, demoMethod(tc.typ, tc.method), codes.DeadlineExceeded, codes.DeadlineExceeded, codes.Canceled)
		})
	}
}

// openServerStream asks for many slow responses and reads only the first.
func openServerStream(ctx context.Context, t *testing.T, client demov1.DemoServiceClient) {
	t.Helper()
	stream, err := client.ServerStream(ctx, &demov1.ServerStreamRequest{Count: demo.MaxStreamCount, DelayMs: 5})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("ServerStream first response: %v", err)
	}
}

// openChat sends one message, reads its answer, and leaves the stream open.
func openChat(ctx context.Context, t *testing.T, client demov1.DemoServiceClient) {
	t.Helper()
	stream, err := client.Chat(ctx)
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if err := stream.Send(&demov1.ChatRequest{Message: "hello"}); err != nil {
		t.Fatalf("Chat send: %v", err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("Chat first response: %v", err)
	}
}

// A handler panic, recovered inside the stack, ends the call as INTERNAL.
func TestInFlightFallsWhenTheHandlerPanics(t *testing.T) {
	panicking := func(ctx context.Context, _, message string) (context.Context, func(error)) {
		if message == "panic" {
			panic("the handler panicked")
		}
		return ctx, func(error) {}
	}
	recoverPanics := recovery.WithRecoveryHandlerContext(interceptors.RecoverPanic)
	s := startStack(t, stackConfig{
		innerServer: []grpc.ServerOption{
			grpc.ChainUnaryInterceptor(recovery.UnaryServerInterceptor(recoverPanics)),
			grpc.ChainStreamInterceptor(recovery.StreamServerInterceptor(recoverPanics)),
		},
		harness: []testsrv.Option{testsrv.WithRegister(func(srv *grpc.Server) {
			demov1.RegisterDemoServiceServer(srv, demo.NewService(demo.WithHook(panicking)))
		})},
	})

	if _, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{Message: "panic"}); status.Code(err) != codes.Internal {
		t.Fatalf("panicking Echo: got %v, want code Internal", err)
	}
	wantCallEnded(t, s, demoMethod(interceptors.Unary, "Echo"), codes.Internal, codes.Internal)

	chat, err := s.Demo().Chat(t.Context())
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if err := chat.Send(&demov1.ChatRequest{Message: "panic"}); err != nil {
		t.Fatalf("Chat send: %v", err)
	}
	if _, err := chat.Recv(); status.Code(err) != codes.Internal {
		t.Fatalf("panicking Chat: got %v, want code Internal", err)
	}
	wantCallEnded(t, s, demoMethod(interceptors.BidiStream, "Chat"), codes.Internal, codes.Internal)
}

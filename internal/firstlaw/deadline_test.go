package firstlaw_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/status"
)

// Deadlines of the calls whose deadline passes. Each is long enough for a loaded machine
// under -race to do what must happen before it (the attempt reaches the handler, the first
// message comes back), since what comes after it comes only after the test's own timeout.
const (
	answerDeadline       = time.Second
	firstMessageDeadline = 2 * time.Second
)

// The two ways grpc-go ends a call whose deadline passed: the client's own timer, or the
// server's, which resets the stream with CANCEL as soon as its deadline passes. Which comes
// first is a race inside grpc-go, with or without interceptors.
const (
	clientTimerMessage = "context deadline exceeded"
	serverResetMessage = "stream terminated by RST_STREAM with error code: CANCEL"
)

// deadlineRace gives a call that ended DEADLINE_EXCEEDED the client timer's message when it
// got the server reset's instead: the code must still be the same, the message comes from
// whichever of grpc-go's two timers won.
func deadlineRace(r callResult) callResult {
	if r.Code == codes.DeadlineExceeded && r.Message == serverResetMessage {
		r.Message = clientTimerMessage
	}
	return r
}

func withDeadline(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// deadlinePassed makes an attempt whose deadline passed return DEADLINE_EXCEEDED once the
// caller has seen its own deadline pass (see service.contextEnd).
func deadlinePassed(svc *service) setup {
	svc.endOnContext(status.Error(codes.DeadlineExceeded, "the handler's deadline passed"))
	return setup{}
}

func TestDeadlinesAsBare(t *testing.T) {
	long := testTimeout.Milliseconds()
	runDifferential(t, []scenario{
		{
			name:    "unary, deadline before the answer",
			prepare: deadlinePassed,
			calls: func(t *testing.T, w *world) []callResult {
				defer w.svc.callerDone()
				return []callResult{deadlineRace(echo(withDeadline(t, answerDeadline), w.demo(), &demov1.EchoRequest{Message: "slow", DelayMs: long}))}
			},
			wantCodes: []codes.Code{codes.DeadlineExceeded}, wantAttempts: 1,
		},
		{
			name:    "server stream, deadline before the first message",
			prepare: deadlinePassed,
			calls: func(t *testing.T, w *world) []callResult {
				defer w.svc.callerDone()
				return []callResult{deadlineRace(serverStream(withDeadline(t, answerDeadline), w.demo(), &demov1.ServerStreamRequest{Message: "slow", Count: 2, DelayMs: long}))}
			},
			wantCodes: []codes.Code{codes.DeadlineExceeded}, wantAttempts: 1,
		},
		{
			name:    "bidi stream, deadline after the first message",
			prepare: deadlinePassed,
			calls: func(t *testing.T, w *world) []callResult {
				defer w.svc.callerDone()
				ctx := withDeadline(t, firstMessageDeadline)
				stream, err := w.demo().Chat(ctx)
				if err != nil {
					t.Fatalf("Chat: %v", err)
				}
				reply, err := chatTurn(stream, &demov1.ChatRequest{Message: "quick"})
				if err != nil {
					t.Fatalf("first turn: %v", err)
				}
				_, err = chatTurn(stream, &demov1.ChatRequest{Message: "slow", DelayMs: long})
				return []callResult{deadlineRace(endedStream("Chat", stream, []string{reply}, err))}
			},
			wantCodes: []codes.Code{codes.DeadlineExceeded}, wantAttempts: 1,
		},
	})
}

// chatTurn sends one message and receives its answer.
func chatTurn(stream demov1.DemoService_ChatClient, req *demov1.ChatRequest) (string, error) {
	if err := stream.Send(req); err != nil {
		return "", err
	}
	reply, err := stream.Recv()
	return reply.GetMessage(), err
}

// gatedDialer dials the server only once open is called: before that every connection
// attempt is refused, as when the server is not up yet.
type gatedDialer struct {
	mu   sync.Mutex
	open bool
}

func (g *gatedDialer) dial(ctx context.Context, addr string) (net.Conn, error) {
	g.mu.Lock()
	open := g.open
	g.mu.Unlock()
	if !open {
		return nil, errors.New("connection refused: the server is not up yet")
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

func (g *gatedDialer) openGate() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = true
}

func TestWaitForReadyAsBare(t *testing.T) {
	// gate is the running run's dialer: prepare makes a new one for each run, and the runs of
	// a scenario are sequential.
	var gate *gatedDialer
	runDifferential(t, []scenario{{
		name: "calls made before the server is reachable",
		prepare: func(*service) setup {
			gate = &gatedDialer{}
			return setup{unreachable: true, dial: []grpc.DialOption{
				grpc.WithContextDialer(gate.dial),
				grpc.WithConnectParams(grpc.ConnectParams{
					Backoff:           backoff.Config{BaseDelay: 10 * time.Millisecond, Multiplier: 1.6, MaxDelay: 50 * time.Millisecond},
					MinConnectTimeout: testTimeout,
				}),
			}}
		},
		calls: func(t *testing.T, w *world) []callResult {
			ctx := testContext(t)
			results := make([]callResult, 2)
			var wg sync.WaitGroup
			wg.Go(func() {
				results[0] = echo(ctx, w.demo(), &demov1.EchoRequest{Message: "waited"}, grpc.WaitForReady(true))
			})
			wg.Go(func() {
				results[1] = serverStream(ctx, w.demo(), &demov1.ServerStreamRequest{Message: "waited", Count: 2}, grpc.WaitForReady(true))
			})
			// The calls wait while the channel fails to connect; a call without wait-for-ready
			// fails at once.
			w.client.Connect()
			for state := w.client.GetState(); state != connectivity.TransientFailure; state = w.client.GetState() {
				if !w.client.WaitForStateChange(ctx, state) {
					t.Fatalf("the channel never failed to connect: %v", ctx.Err())
				}
			}
			failFast := echo(ctx, w.demo(), &demov1.EchoRequest{Message: "fail fast"})
			gate.openGate()
			wg.Wait()
			return append(results, failFast)
		},
		wantCodes: []codes.Code{codes.OK, codes.OK, codes.Unavailable}, wantAttempts: 2,
	}})
}

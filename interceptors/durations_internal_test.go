package interceptors

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
)

// durationRecorder keeps the durations its reporters are given for messages and for calls.
// Wrapped in a signalRecorder, it is a grpcobs signal that tells the stack whether it ignores
// message durations (ignores); alone, it is any other reportable.
type durationRecorder struct {
	ignores bool

	mu       sync.Mutex
	messages []time.Duration
	calls    []time.Duration
}

// signalRecorder is a durationRecorder that is a grpcobs signal.
type signalRecorder struct {
	*durationRecorder
	signal.Embed
}

func newSignalRecorder(r *durationRecorder) signalRecorder {
	traits := signal.Traits{Rank: signal.RankMeasure, IgnoresMessageDurations: r.ignores}
	return signalRecorder{r, signal.NewEmbed(signal.Hooks{Traits: traits})}
}

func (r *durationRecorder) ServerReporter(ctx context.Context, _ CallMeta) (Reporter, context.Context) {
	return r, ctx
}

func (r *durationRecorder) ClientReporter(ctx context.Context, _ CallMeta) (Reporter, context.Context) {
	return r, ctx
}

func (r *durationRecorder) PostMsgSend(_ any, _ error, d time.Duration)    { r.message(d) }
func (r *durationRecorder) PostMsgReceive(_ any, _ error, d time.Duration) { r.message(d) }

func (r *durationRecorder) message(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = append(r.messages, d)
}

func (r *durationRecorder) PostCall(_ error, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, d)
}

func (r *durationRecorder) snapshot() (messages, calls []time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.messages...), append([]time.Duration(nil), r.calls...)
}

// A stack times messages unless every reportable ignores their durations; calls are always
// timed.
func TestMessagesAreTimedOnlyForReportablesThatReadTheDurations(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ignores   []bool // one grpcobs signal per entry, on both sides
		other     bool   // and one reportable that is not a grpcobs signal
		wantTimed bool
	}{
		{name: "every signal ignores", ignores: []bool{true, true}, wantTimed: false},
		{name: "one reads", ignores: []bool{true, false}, wantTimed: true},
		{name: "one says it does not ignore", ignores: []bool{false}, wantTimed: true},
		{name: "another reportable", ignores: []bool{true}, other: true, wantTimed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var servers []ServerReportable
			var clients []ClientReportable
			var all []*durationRecorder
			for _, ignores := range tc.ignores {
				s, c := &durationRecorder{ignores: ignores}, &durationRecorder{ignores: ignores}
				servers, clients, all = append(servers, newSignalRecorder(s)), append(clients, newSignalRecorder(c)), append(all, s, c)
			}
			if tc.other {
				s, c := &durationRecorder{}, &durationRecorder{}
				servers, clients, all = append(servers, s), append(clients, c), append(all, s, c)
			}
			h := testsrv.Start(t,
				testsrv.WithServerOptions(ServerOptions(servers...)...),
				testsrv.WithDialOptions(DialOptions(clients...)...))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			client := h.Demo()
			if _, err := client.Echo(ctx, &demov1.EchoRequest{Message: "hi"}); err != nil {
				t.Fatalf("Echo: %v", err)
			}
			stream, err := client.Chat(ctx)
			if err != nil {
				t.Fatalf("Chat: %v", err)
			}
			for range 3 {
				if err := stream.Send(&demov1.ChatRequest{Message: "hi"}); err != nil {
					t.Fatalf("Send: %v", err)
				}
				if _, err := stream.Recv(); err != nil {
					t.Fatalf("Recv: %v", err)
				}
			}
			if err := stream.CloseSend(); err != nil {
				t.Fatalf("CloseSend: %v", err)
			}
			if _, err := stream.Recv(); err == nil {
				t.Fatal("Recv after CloseSend: a message, want the end of the stream")
			}

			for i, r := range all {
				var messages, calls []time.Duration
				deadline := time.Now().Add(5 * time.Second)
				for { // the server's call may end just after the client's
					if messages, calls = r.snapshot(); len(calls) == 2 || time.Now().After(deadline) {
						break
					}
					time.Sleep(time.Millisecond)
				}
				if len(calls) != 2 || len(messages) < 8 {
					t.Fatalf("reportable %d saw %d calls and %d messages, want 2 and at least 8", i, len(calls), len(messages))
				}
				for _, d := range calls {
					if d <= 0 {
						t.Errorf("reportable %d: call duration %v, want > 0", i, d)
					}
				}
				timed := 0
				for _, d := range messages {
					if d > 0 {
						timed++
					}
				}
				if tc.wantTimed && timed != len(messages) {
					t.Errorf("reportable %d: %d of %d messages timed, want all", i, timed, len(messages))
				}
				if !tc.wantTimed && timed != 0 {
					t.Errorf("reportable %d: %d of %d messages timed, want none", i, timed, len(messages))
				}
			}
		})
	}
}

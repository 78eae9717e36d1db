package interceptors

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
)

// attemptSignal is a grpcobs-like signal whose one reporter logs what the stack tells it of
// attempts; wants says whether it asks for them. Its reporter is made once, so that a call
// costs nothing of the signal's own.
type attemptSignal struct {
	signal.Embed
	call *attemptCall
}

func newAttemptSignal(wants bool, log *[]string) attemptSignal {
	traits := signal.Traits{Rank: signal.RankMeasure, IgnoresMessageDurations: true, WantsAttempts: wants}
	return attemptSignal{signal.NewEmbed(signal.Hooks{Traits: traits}), &attemptCall{log: log}}
}

func (s attemptSignal) ClientReporter(ctx context.Context, _ CallMeta) (Reporter, context.Context) {
	return s.call, ctx
}

type attemptCall struct{ log *[]string }

func (*attemptCall) PostCall(error, time.Duration)            {}
func (*attemptCall) PostMsgSend(any, error, time.Duration)    {}
func (*attemptCall) PostMsgReceive(any, error, time.Duration) {}

func (c *attemptCall) StartAttempt(ctx context.Context, _ time.Time) (signal.AttemptEnder, context.Context) {
	*c.log = append(*c.log, "start")
	return c, ctx
}
func (c *attemptCall) AttemptMade(previous int, transparent bool) {
	if transparent {
		*c.log = append(*c.log, fmt.Sprintf("made %d transparent", previous))
	} else {
		*c.log = append(*c.log, fmt.Sprintf("made %d", previous))
	}
}
func (c *attemptCall) AttemptAbandoned(time.Time) {
	*c.log = append(*c.log, "abandoned")
}
func (c *attemptCall) AttemptEnded(err error, _ time.Time) {
	*c.log = append(*c.log, "ended "+status.Code(err).String())
}

// invokeUnary runs stack's unary interceptor with an invoker that plays grpc-go's part with
// handler: each attempt it is given, TagRPC, Begin and End, in grpc-go's order.
func invokeUnary(stack *clientReportables, handler stats.Handler, attempts []error) error {
	unary := stack.unaryInterceptor()
	invoker := func(ctx context.Context, _ string, _, _ any, _ *grpc.ClientConn, _ ...grpc.CallOption) error {
		var err error
		for i, attemptErr := range attempts {
			actx := handler.TagRPC(ctx, &stats.RPCTagInfo{FullMethodName: "/s.S/M"})
			handler.HandleRPC(actx, &stats.Begin{Client: true, IsTransparentRetryAttempt: i > 0 && errors.Is(attempts[i-1], errRefused)})
			handler.HandleRPC(actx, &stats.OutHeader{Client: true})
			handler.HandleRPC(actx, &stats.OutPayload{Client: true})
			handler.HandleRPC(actx, &stats.End{Client: true, Error: attemptErr, EndTime: time.Now()})
			err = attemptErr
		}
		return err
	}
	return unary(context.Background(), "/s.S/M", nil, nil, nil, invoker)
}

var errRefused = status.Error(codes.Unavailable, "refused stream")

func TestAttemptHandlerNumbersAttemptsInGRPCsOrder(t *testing.T) {
	var log []string
	stack := newClientReportables([]ClientReportable{newAttemptSignal(true, &log)})
	stack.attempts = &attemptHandler{}
	err := invokeUnary(&stack, stack.attempts, []error{errRefused, status.Error(codes.Unavailable, "down"), nil})
	if err != nil {
		t.Fatalf("call = %v", err)
	}
	want := []string{"start", "made 0", "ended Unavailable", "start", "made 0 transparent", "ended Unavailable", "start", "made 1", "ended OK"}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("what the signal was told (-want +got):\n%s", diff)
	}
}

// A signal that does not ask for attempts is not told of them, even when another one asks.
func TestOnlySignalsThatAskAreToldOfAttempts(t *testing.T) {
	var asked, notAsked []string
	stack := newClientReportables([]ClientReportable{newAttemptSignal(true, &asked), newAttemptSignal(false, &notAsked)})
	stack.attempts = &attemptHandler{}
	if err := invokeUnary(&stack, stack.attempts, []error{nil}); err != nil {
		t.Fatalf("call = %v", err)
	}
	if len(asked) != 3 || len(notAsked) != 0 {
		t.Errorf("told %v to the signal that asked and %v to the one that did not; want three events and none", asked, notAsked)
	}
}

// Another stack's handler on the same connection does not follow this stack's calls.
func TestAttemptHandlerIgnoresOtherStacksCalls(t *testing.T) {
	var log []string
	stack := newClientReportables([]ClientReportable{newAttemptSignal(true, &log)})
	stack.attempts = &attemptHandler{}
	if err := invokeUnary(&stack, &attemptHandler{}, []error{nil}); err != nil {
		t.Fatalf("call = %v", err)
	}
	if len(log) != 0 {
		t.Errorf("another handler reported %v, want nothing", log)
	}
}

// Without a handler (no signal asked, or the interceptor used without DialOptions), a call
// costs what it cost before attempts existed: the unary interceptor allocates nothing of its
// own. With one, the call's record and the context that carries it are its only cost.
func TestAttemptRecordCostsNothingWhenOff(t *testing.T) {
	for _, tc := range []struct {
		name       string
		wants      bool
		handler    bool
		wantAllocs float64
	}{
		{"no signal asks", false, false, 0},
		{"asked, but no DialOptions", true, false, 0},
		{"asked, with DialOptions", true, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log []string
			stack := newClientReportables([]ClientReportable{newAttemptSignal(tc.wants, &log)})
			if tc.handler {
				stack.attempts = &attemptHandler{}
			}
			unary := stack.unaryInterceptor()
			invoker := func(context.Context, string, any, any, *grpc.ClientConn, ...grpc.CallOption) error { return nil }
			ctx := context.Background()
			got := testing.AllocsPerRun(100, func() {
				_ = unary(ctx, "/s.S/M", nil, nil, nil, invoker)
			})
			if got != tc.wantAllocs {
				t.Errorf("a call allocates %v times, want %v", got, tc.wantAllocs)
			}
		})
	}
}

// payloadSignal is an attemptSignal whose enders also want payload sizes.
type payloadSignal struct{ attemptSignal }

func (s payloadSignal) ClientReporter(ctx context.Context, _ CallMeta) (Reporter, context.Context) {
	return payloadCall{s.call}, ctx
}

type payloadCall struct{ *attemptCall }

func (c payloadCall) StartAttempt(ctx context.Context, start time.Time) (signal.AttemptEnder, context.Context) {
	_, ctx = c.attemptCall.StartAttempt(ctx, start)
	return c, ctx
}

func (c payloadCall) AttemptPayload(sent bool, n int) {
	dir := "rcvd"
	if sent {
		dir = "sent"
	}
	*c.log = append(*c.log, fmt.Sprintf("%s %d", dir, n))
}

// payloadInvoker plays grpc-go's part for one attempt that sends a 7-byte and receives a
// 3-byte compressed message.
func payloadInvoker(handler stats.Handler) grpc.UnaryInvoker {
	return func(ctx context.Context, _ string, _, _ any, _ *grpc.ClientConn, _ ...grpc.CallOption) error {
		actx := handler.TagRPC(ctx, &stats.RPCTagInfo{FullMethodName: "/s.S/M"})
		handler.HandleRPC(actx, &stats.Begin{Client: true})
		handler.HandleRPC(actx, &stats.OutHeader{Client: true})
		handler.HandleRPC(actx, &stats.OutPayload{Client: true, Length: 9, CompressedLength: 7})
		handler.HandleRPC(actx, &stats.InPayload{Client: true, Length: 5, CompressedLength: 3})
		handler.HandleRPC(actx, &stats.End{Client: true, EndTime: time.Now()})
		return nil
	}
}

// An ender that wants payload sizes is told each message's compressed length; one that does
// not is not, and while no ender of the stack wants them the handler looks nothing up.
func TestAttemptHandlerForwardsPayloadSizesToEndersThatWantThem(t *testing.T) {
	var sizes, plain []string
	stack := newClientReportables([]ClientReportable{payloadSignal{newAttemptSignal(true, &sizes)}, newAttemptSignal(true, &plain)})
	stack.attempts = &attemptHandler{}
	if err := stack.unaryInterceptor()(context.Background(), "/s.S/M", nil, nil, nil, payloadInvoker(stack.attempts)); err != nil {
		t.Fatalf("call = %v", err)
	}
	if diff := cmp.Diff([]string{"start", "made 0", "sent 7", "rcvd 3", "ended OK"}, sizes); diff != "" {
		t.Errorf("what the payload signal was told (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"start", "made 0", "ended OK"}, plain); diff != "" {
		t.Errorf("what the other signal was told (-want +got):\n%s", diff)
	}

	var log []string
	without := newClientReportables([]ClientReportable{newAttemptSignal(true, &log)})
	without.attempts = &attemptHandler{}
	if err := without.unaryInterceptor()(context.Background(), "/s.S/M", nil, nil, nil, payloadInvoker(without.attempts)); err != nil {
		t.Fatalf("call = %v", err)
	}
	if without.attempts.payloads.Load() {
		t.Error("the handler of a stack no ender of which wants payloads looks their attempts up")
	}
}

// Two stacks chained on one connection (each DialOptions installs its handler; grpc-go tags
// each attempt with every handler in turn) each follow their own signals' attempts: the inner
// stack's record does not hide the outer one's.
func TestNestedStacksEachFollowTheirOwnAttempts(t *testing.T) {
	var outerLog, innerLog []string
	outer := newClientReportables([]ClientReportable{newAttemptSignal(true, &outerLog)})
	outer.attempts = &attemptHandler{}
	inner := newClientReportables([]ClientReportable{newAttemptSignal(true, &innerLog)})
	inner.attempts = &attemptHandler{}
	handlers := []stats.Handler{outer.attempts, inner.attempts}
	grpcGo := func(ctx context.Context, _ string, _, _ any, _ *grpc.ClientConn, _ ...grpc.CallOption) error {
		for _, h := range handlers {
			ctx = h.TagRPC(ctx, &stats.RPCTagInfo{FullMethodName: "/s.S/M"})
		}
		for _, s := range []stats.RPCStats{&stats.Begin{Client: true}, &stats.End{Client: true, EndTime: time.Now()}} {
			for _, h := range handlers {
				h.HandleRPC(ctx, s)
			}
		}
		return nil
	}
	innerUnary := inner.unaryInterceptor()
	throughInner := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, opts ...grpc.CallOption) error {
		return innerUnary(ctx, method, req, reply, cc, grpcGo, opts...)
	}
	if err := outer.unaryInterceptor()(context.Background(), "/s.S/M", nil, nil, nil, throughInner); err != nil {
		t.Fatalf("call = %v", err)
	}
	want := []string{"start", "made 0", "ended OK"}
	if diff := cmp.Diff(want, outerLog); diff != "" {
		t.Errorf("the outer stack's signal was told (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, innerLog); diff != "" {
		t.Errorf("the inner stack's signal was told (-want +got):\n%s", diff)
	}
}

// grpcGoAbandonsAtTheEnd plays grpc-go for a call whose caller's context ends right after
// retryLocked created an attempt: the first attempt fails to get a stream and ends, the retry
// is created, and withRetry cannot create its replacement. The retry gets no other event.
func grpcGoAbandonsAtTheEnd(ctx context.Context, handler stats.Handler) error {
	first := handler.TagRPC(ctx, &stats.RPCTagInfo{FullMethodName: "/s.S/M"})
	handler.HandleRPC(first, &stats.Begin{Client: true})
	handler.HandleRPC(first, &stats.End{Client: true, Error: errRefused, EndTime: time.Now()})
	retry := handler.TagRPC(ctx, &stats.RPCTagInfo{FullMethodName: "/s.S/M"})
	handler.HandleRPC(retry, &stats.Begin{Client: true})
	return status.Error(codes.Canceled, "context canceled")
}

// An attempt still provisional when the call ends is abandoned by the stack's end of the call,
// before the signals' PostCall, on unary and stream calls alike; it is not counted.
func TestTheCallsEndAbandonsItsProvisionalAttempt(t *testing.T) {
	want := []string{"start", "made 0", "ended Unavailable", "start", "abandoned"}
	t.Run("unary", func(t *testing.T) {
		var log []string
		stack := newClientReportables([]ClientReportable{newAttemptSignal(true, &log)})
		stack.attempts = &attemptHandler{}
		invoker := func(ctx context.Context, _ string, _, _ any, _ *grpc.ClientConn, _ ...grpc.CallOption) error {
			return grpcGoAbandonsAtTheEnd(ctx, stack.attempts)
		}
		_ = stack.unaryInterceptor()(context.Background(), "/s.S/M", nil, nil, nil, invoker)
		if diff := cmp.Diff(want, log); diff != "" {
			t.Errorf("what the signal was told (-want +got):\n%s", diff)
		}
	})
	t.Run("stream", func(t *testing.T) {
		var log []string
		stack := newClientReportables([]ClientReportable{newAttemptSignal(true, &log)})
		stack.attempts = &attemptHandler{}
		streamer := func(ctx context.Context, _ *grpc.StreamDesc, _ *grpc.ClientConn, _ string, _ ...grpc.CallOption) (grpc.ClientStream, error) {
			return nil, grpcGoAbandonsAtTheEnd(ctx, stack.attempts)
		}
		_, _ = stack.streamInterceptor()(context.Background(), &grpc.StreamDesc{ServerStreams: true}, nil, "/s.S/M", streamer)
		if diff := cmp.Diff(want, log); diff != "" {
			t.Errorf("what the signal was told (-want +got):\n%s", diff)
		}
	})
}

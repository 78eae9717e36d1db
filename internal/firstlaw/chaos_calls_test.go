package firstlaw_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/retry"
	"github.com/grpcobs/grpcobs/internal/firstlaw"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
)

// runChaosCall makes one call as the round planned it and returns what its caller observed;
// for an abandoned call, the status grpc-go finished its stream with.
func runChaosCall(t *testing.T, w *chaosWorld, r chaosRound, c chaosCall) callResult {
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	switch c.action {
	case actDeadline:
		var cancelDeadline context.CancelFunc
		ctx, cancelDeadline = context.WithTimeout(ctx, c.after)
		defer cancelDeadline()
	case actCancelLater:
		defer time.AfterFunc(c.after, cancel).Stop()
	}
	ctx = metadata.AppendToOutgoingContext(ctx, chaosCallKey, strconv.Itoa(c.index), chaosRefuseKey, strconv.Itoa(c.refuse))
	k := &chaosCaller{t: t, c: c, cancel: cancel}
	opts := []grpc.CallOption{grpc.WaitForReady(c.wait), grpc.OnFinish(k.finished)}
	if r.mwRetry && !r.mwRetries(c) {
		opts = append(opts, retry.Disable())
	}
	demo := demov1.NewDemoServiceClient(w.client)
	switch c.kind {
	case kindUnary:
		return echo(ctx, demo, &demov1.EchoRequest{Message: c.message(0), DelayMs: c.delayMS, FailCode: int32(c.failCode)}, opts...)
	case kindServerStream:
		return k.serverStream(ctx, demo, opts)
	case kindClientStream:
		return k.clientStream(ctx, demo, opts)
	default:
		return k.chat(ctx, demo, opts)
	}
}

// message is the call's nth message (from 1), or its only one (0).
func (c chaosCall) message(n int) string {
	if n == 0 {
		return fmt.Sprintf("c%d", c.index)
	}
	return fmt.Sprintf("c%d-m%d", c.index, n)
}

// failCodeOf is the fail_code the nth message carries: the call's, on its last message.
func (c chaosCall) failCodeOf(n int) int32 {
	if n == c.messages {
		return int32(c.failCode)
	}
	return 0
}

// natural is what the call's caller gets when nothing but its own plan (refused attempts,
// retries, fail_code) decides: its code and the messages it receives.
func (r chaosRound) natural(c chaosCall) (codes.Code, []string) {
	if c.refuse == refuseAll || (c.refuse > 0 && !r.retryPolicy && !r.mwRetries(c)) {
		return codes.Unavailable, nil
	}
	var all []string
	for n := 1; n <= c.messages; n++ {
		all = append(all, c.message(n))
	}
	switch {
	case c.kind == kindServerStream:
		var out []string
		for n := 1; n <= c.messages; n++ {
			out = append(out, fmt.Sprintf("%s #%d", c.message(0), n))
		}
		return c.failCode, out
	case c.failCode != codes.OK && c.kind == kindBidi:
		return c.failCode, all[:c.messages-1]
	case c.failCode != codes.OK:
		return c.failCode, nil
	case c.kind == kindUnary:
		return codes.OK, []string{c.message(0)}
	case c.kind == kindClientStream:
		return codes.OK, []string{strings.Join(all, " ")}
	default:
		return codes.OK, all
	}
}

// chaosCaller runs a stream call's plan: its action after the nth message sent or received.
type chaosCaller struct {
	t      *testing.T
	c      chaosCall
	cancel context.CancelFunc

	mu       sync.Mutex
	finishes []error // what grpc-go finished the call's streams with, in order
}

func (k *chaosCaller) finished(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.finishes = append(k.finishes, err)
}

// step runs the action due after n messages sent (sent) or received, and says whether the
// caller abandons the call there.
func (k *chaosCaller) step(sent bool, n int) (abandon bool) {
	if n != k.c.n {
		return false
	}
	switch {
	case k.c.action == actCancelAfterSend && sent, k.c.action == actCancelAfterRecv && !sent:
		k.cancel()
	case k.c.action == actAbandonAfterSend && sent, k.c.action == actAbandonAfterRecv && !sent:
		return true
	}
	return false
}

// abandon cancels the abandoned call and returns the status grpc-go finished it with. The
// go-grpc-middleware retry is disabled on abandoned calls, so the call has one stream.
func (k *chaosCaller) abandon(method string, received []string) callResult {
	k.cancel()
	deadline := time.Now().Add(firstlaw.Timeout)
	for time.Now().Before(deadline) {
		k.mu.Lock()
		finishes := k.finishes
		k.mu.Unlock()
		if len(finishes) > 0 {
			return resultOf(method, finishes[0], nil, nil, received)
		}
		time.Sleep(time.Millisecond)
	}
	k.t.Errorf("%s: grpc-go never finished the abandoned stream", k.c)
	return resultOf(method, errors.New("never finished"), nil, nil, received)
}

func (k *chaosCaller) serverStream(ctx context.Context, demo demov1.DemoServiceClient, opts []grpc.CallOption) callResult {
	const method = "ServerStream"
	req := &demov1.ServerStreamRequest{Message: k.c.message(0), Count: int32(k.c.messages), DelayMs: k.c.delayMS, FailCode: int32(k.c.failCode)}
	stream, err := demo.ServerStream(ctx, req, opts...)
	if err != nil {
		return resultOf(method, err, nil, nil, nil)
	}
	var received []string
	if k.step(false, 0) {
		return k.abandon(method, received)
	}
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return endedStream(method, stream, received, nil)
		}
		if err != nil {
			return endedStream(method, stream, received, err)
		}
		received = append(received, m.GetMessage())
		if k.step(false, len(received)) {
			return k.abandon(method, received)
		}
	}
}

func (k *chaosCaller) clientStream(ctx context.Context, demo demov1.DemoServiceClient, opts []grpc.CallOption) callResult {
	const method = "ClientStream"
	stream, err := demo.ClientStream(ctx, opts...)
	if err != nil {
		return resultOf(method, err, nil, nil, nil)
	}
	if k.step(true, 0) {
		return k.abandon(method, nil)
	}
	for n := 1; n <= k.c.messages; n++ {
		// A failed Send means the stream is over; CloseAndRecv tells its status.
		if stream.Send(&demov1.ClientStreamRequest{Message: k.c.message(n), DelayMs: k.c.delayMS, FailCode: k.c.failCodeOf(n)}) != nil {
			break
		}
		if k.step(true, n) {
			return k.abandon(method, nil)
		}
	}
	resp, err := stream.CloseAndRecv()
	var received []string
	if err == nil {
		received = []string{resp.GetMessage()}
	}
	return endedStream(method, stream, received, err)
}

func (k *chaosCaller) chat(ctx context.Context, demo demov1.DemoServiceClient, opts []grpc.CallOption) callResult {
	const method = "Chat"
	stream, err := demo.Chat(ctx, opts...)
	if err != nil {
		return resultOf(method, err, nil, nil, nil)
	}
	var received []string
	if k.step(true, 0) || k.step(false, 0) {
		return k.abandon(method, received)
	}
	for n := 1; n <= k.c.messages; n++ {
		if stream.Send(&demov1.ChatRequest{Message: k.c.message(n), DelayMs: k.c.delayMS, FailCode: k.c.failCodeOf(n)}) != nil {
			break
		}
		k.step(true, n) // bidi calls are abandoned only after a receive
		resp, err := stream.Recv()
		if err != nil {
			return endedStream(method, stream, received, err)
		}
		received = append(received, resp.GetMessage())
		if k.step(false, n) {
			return k.abandon(method, received)
		}
	}
	if err := stream.CloseSend(); err != nil {
		return endedStream(method, stream, received, err)
	}
	rest, err := drain(stream.Recv)
	return endedStream(method, stream, append(received, rest...), err)
}

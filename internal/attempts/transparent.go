package attempts

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
)

// TransparentRetry makes a server stream that grpc-go retries transparently, on a server
// with one stream slot (grpc.MaxConcurrentStreams(1)) and a client dialled through a
// firstlaw.Refusal whose OnRefused closes refused, with script holding the first attempt
// (Hold and Entered set): an Echo takes the slot and waits in the server; a ServerStream is
// refused, and its retry runs once the Echo ends. Both calls must succeed. The stream's
// request is {message: "refused", count: 1}: bench/interop's A72 trees assert its size.
//
// The holder is released only once ServerStream has returned, that is once the refused
// attempt has written its request: had the refusal reached the client before that, grpc-go
// v1.85 would end the refused attempt with no error (csAttempt.sendMsg turns the failed write
// into io.EOF, which csAttempt.finish reports to stats handlers as a success).
func TransparentRetry(t testing.TB, ctx context.Context, c demov1.DemoServiceClient, script *Script, refused <-chan struct{}) {
	t.Helper()
	var holder error
	var wg sync.WaitGroup
	wg.Go(func() {
		_, holder = c.Echo(ctx, &demov1.EchoRequest{Message: "holds the slot"})
	})
	select {
	case <-script.Entered:
	case <-ctx.Done():
		t.Fatal("the holder never reached the server")
	}
	stream, err := c.ServerStream(ctx, &demov1.ServerStreamRequest{Message: "refused", Count: 1})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	select {
	case <-refused:
		close(script.Hold)
	case <-ctx.Done():
		t.Fatal("the server never refused the stream")
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("Recv = %v, want the one message", err)
	}
	wg.Wait()
	if holder != nil {
		t.Fatalf("holder Echo = %v", holder)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("final Recv = %v, want io.EOF", err)
	}
}

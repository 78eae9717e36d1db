package attempts_test

import (
	"errors"
	"io"
	"sync"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/firstlaw"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
)

// A stream the server refuses before any handler sees it (firstlaw.Refusal: the server's
// only stream slot is held by another call) is retried transparently by grpc-go, with no
// retry policy: its first attempt span ends UNAVAILABLE with no server span under it, and its
// second carries transparent-retry=true.
//
// The holder is released only once ServerStream has returned, that is once the refused
// attempt has written its request: had the refusal reached the client before that, grpc-go
// v1.85 would end the refused attempt with no error (csAttempt.sendMsg turns the failed write
// into io.EOF, which csAttempt.finish reports to stats handlers as a success).
func TestTransparentRetry(t *testing.T) {
	var w *world
	refused := make(chan struct{})
	refusal := &firstlaw.Refusal{OnRefused: func() { close(refused) }}
	w = startWorldWith(t, worldConfig{
		serviceConfig: `{}`,
		server:        []grpc.ServerOption{grpc.MaxConcurrentStreams(1)},
		harness:       []testsrv.Option{testsrv.WithTCP(), testsrv.WithDialOptions(grpc.WithContextDialer(refusal.Dial))},
		holdFirst:     true,
	})
	ctx, c := testContext(t), w.h.Demo()
	var holder error
	var wg sync.WaitGroup
	wg.Go(func() {
		_, holder = c.Echo(ctx, &demov1.EchoRequest{Message: "holds the slot"})
	})
	select {
	case <-w.script.Entered:
	case <-ctx.Done():
		t.Fatal("the holder never reached the server")
	}
	stream, err := c.ServerStream(ctx, &demov1.ServerStreamRequest{Message: "refused, then retried", Count: 1})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	select {
	case <-refused:
		close(w.script.Hold)
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
	const (
		call    = "client grpcobs.demo.v1.DemoService/ServerStream"
		attempt = "  internal Attempt.grpcobs.demo.v1.DemoService.ServerStream"
		server  = "    server grpcobs.demo.v1.DemoService/ServerStream"
	)
	w.expectTree(t, []string{
		echoCall + " OK",
		echoAttempt + " OK previous-rpc-attempts=0 transparent-retry=false",
		echoServer + " OK",
		call + " OK",
		attempt + " UNAVAILABLE previous-rpc-attempts=0 transparent-retry=false",
		attempt + " OK previous-rpc-attempts=1 transparent-retry=true",
		server + " OK",
	})
	w.expectAttempts(t,
		attempts{"unary", "Echo", "OK", 1},
		attempts{"server_stream", "ServerStream", "OK", 1},
		attempts{"server_stream", "ServerStream", "Unavailable", 1})
	w.expectLines(t, []logrus.Fields{
		{logging.FieldMethod: "Echo", logging.FieldCode: "OK"},
		{logging.FieldMethod: "ServerStream", logging.FieldCode: "OK", logging.FieldAttempts: 2, logging.FieldAttemptCodes: []string{"Unavailable"}},
	})
}

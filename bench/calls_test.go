package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
)

// messagesPerStream is how many responses a server stream sends, and how many round trips a
// bidi stream makes.
const messagesPerStream = 10

// call is one benchmarked operation, made with the Payload.
type call func(ctx context.Context, client demov1.DemoServiceClient) error

// callKinds are the operations, named as in the benchmarks.
var callKinds = []struct {
	name string
	call call
}{
	{"unary", unaryCall},
	{"server-stream", serverStreamCall},
	{"bidi", bidiCall},
}

func unaryCall(ctx context.Context, client demov1.DemoServiceClient) error {
	_, err := client.Echo(ctx, &demov1.EchoRequest{Message: Payload})
	return err
}

// serverStreamCall asks for messagesPerStream responses and reads them to the end.
func serverStreamCall(ctx context.Context, client demov1.DemoServiceClient) error {
	stream, err := client.ServerStream(ctx, &demov1.ServerStreamRequest{Message: Payload, Count: messagesPerStream})
	if err != nil {
		return err
	}
	for range messagesPerStream {
		if _, err := stream.Recv(); err != nil {
			return err
		}
	}
	return wantEnd(stream.Recv())
}

// bidiCall makes messagesPerStream round trips on one Chat stream, then closes it.
func bidiCall(ctx context.Context, client demov1.DemoServiceClient) error {
	stream, err := client.Chat(ctx)
	if err != nil {
		return err
	}
	req := &demov1.ChatRequest{Message: Payload}
	for range messagesPerStream {
		if err := stream.Send(req); err != nil {
			return err
		}
		if _, err := stream.Recv(); err != nil {
			return err
		}
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	return wantEnd(stream.Recv())
}

// wantEnd checks that the stream ended with OK after its last expected message.
func wantEnd[M any](_ M, err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("a message after the %dth, want the end of the stream", messagesPerStream)
}

// transports are the ways the client reaches the server.
var transports = []struct {
	name string
	opts []testsrv.Option
}{
	{"bufconn", nil},
	{"tcp", []testsrv.Option{testsrv.WithTCP()}},
}

// serve starts a server and a client with cfg's stack over the transport, and returns the
// stack and a client. Everything stops when the test or benchmark ends.
func serve(tb testing.TB, cfg Config, transport []testsrv.Option) (*Stack, demov1.DemoServiceClient) {
	tb.Helper()
	stack := cfg.Build()
	// Cleanups run last first: the stack shuts down after the server and client stop.
	tb.Cleanup(func() {
		if err := stack.Shutdown(context.Background()); err != nil {
			tb.Errorf("shutting down %s: %v", cfg.Name, err)
		}
	})
	opts := append([]testsrv.Option{
		testsrv.WithServerOptions(stack.ServerOptions...),
		testsrv.WithDialOptions(stack.DialOptions...),
	}, transport...)
	return stack, testsrv.Start(tb, opts...).Demo()
}

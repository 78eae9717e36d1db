package mwcompat_test

import (
	"context"
	"errors"
	"io"
	"testing"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const demoService = "grpcobs.demo.v1.DemoService"

// call is one demo call of the mix every configuration makes, and the code it must end with.
type call struct {
	method string
	want   codes.Code
	make   func(ctx context.Context, c demov1.DemoServiceClient) error
}

// notFound is the fail_code of the mix's failing calls.
const notFound = int32(codes.NotFound)

// mix is an OK and a failing call of each kind. Streams are read to their end: go-grpc-
// middleware's client interceptor reports the end of a stream only then.
var mix = []call{
	{"Echo", codes.OK, func(ctx context.Context, c demov1.DemoServiceClient) error {
		_, err := c.Echo(ctx, &demov1.EchoRequest{Message: "ok"})
		return err
	}},
	{"Echo", codes.NotFound, func(ctx context.Context, c demov1.DemoServiceClient) error {
		_, err := c.Echo(ctx, &demov1.EchoRequest{Message: "fails", FailCode: notFound})
		return err
	}},
	{"ServerStream", codes.OK, func(ctx context.Context, c demov1.DemoServiceClient) error {
		return serverStream(ctx, c, &demov1.ServerStreamRequest{Message: "ok", Count: 2})
	}},
	{"ServerStream", codes.NotFound, func(ctx context.Context, c demov1.DemoServiceClient) error {
		return serverStream(ctx, c, &demov1.ServerStreamRequest{Message: "fails", Count: 1, FailCode: notFound})
	}},
	{"ClientStream", codes.OK, func(ctx context.Context, c demov1.DemoServiceClient) error {
		stream, err := c.ClientStream(ctx)
		if err != nil {
			return err
		}
		for _, m := range []string{"one", "two"} {
			if err := stream.Send(&demov1.ClientStreamRequest{Message: m}); err != nil {
				break
			}
		}
		_, err = stream.CloseAndRecv()
		return err
	}},
	{"Chat", codes.OK, func(ctx context.Context, c demov1.DemoServiceClient) error {
		return chat(ctx, c, &demov1.ChatRequest{Message: "ok"})
	}},
	{"Chat", codes.NotFound, func(ctx context.Context, c demov1.DemoServiceClient) error {
		return chat(ctx, c, &demov1.ChatRequest{Message: "fails", FailCode: notFound})
	}},
}

func serverStream(ctx context.Context, c demov1.DemoServiceClient, req *demov1.ServerStreamRequest) error {
	stream, err := c.ServerStream(ctx, req)
	if err != nil {
		return err
	}
	return drain(stream.Recv)
}

func chat(ctx context.Context, c demov1.DemoServiceClient, req *demov1.ChatRequest) error {
	stream, err := c.Chat(ctx)
	if err != nil {
		return err
	}
	if err := stream.Send(req); err == nil {
		_ = stream.CloseSend()
	}
	return drain(stream.Recv)
}

func drain[T any](recv func() (T, error)) error {
	for {
		if _, err := recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// makeCalls makes the calls and checks each ends with its code, as it would bare.
func makeCalls(t *testing.T, c demov1.DemoServiceClient, calls []call) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	for _, cl := range calls {
		if err := cl.make(ctx, c); status.Code(err) != cl.want {
			t.Errorf("%s: %v, want code %v", cl.method, err, cl.want)
		}
	}
}

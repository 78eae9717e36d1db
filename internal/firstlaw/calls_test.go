package firstlaw_test

import (
	"context"
	"errors"
	"io"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// callResult is what the caller of one call observed. Metadata is kept as a plain map, which
// go-cmp prints in full (metadata.MD's String hides values).
type callResult struct {
	Method   string
	Code     codes.Code
	Message  string
	Header   map[string][]string
	Trailer  map[string][]string
	Received []string
}

func resultOf(method string, err error, header, trailer metadata.MD, received []string) callResult {
	st := status.Convert(err)
	return callResult{Method: method, Code: st.Code(), Message: st.Message(), Header: header, Trailer: trailer, Received: received}
}

// endedStream is the result of a stream whose status has been read: Header and Trailer are
// read only now, after the end, where they no longer change anything.
func endedStream(method string, s grpc.ClientStream, received []string, err error) callResult {
	header, _ := s.Header()
	return resultOf(method, err, header, s.Trailer(), received)
}

func codesOf(results []callResult) []codes.Code {
	out := make([]codes.Code, len(results))
	for i, r := range results {
		out[i] = r.Code
	}
	return out
}

// The calls below make one call of each kind the plain way a caller does, and record what it
// observed.

func echo(ctx context.Context, c demov1.DemoServiceClient, req *demov1.EchoRequest, opts ...grpc.CallOption) callResult {
	var header, trailer metadata.MD
	resp, err := c.Echo(ctx, req, append(opts, grpc.Header(&header), grpc.Trailer(&trailer))...)
	var received []string
	if err == nil {
		received = []string{resp.GetMessage()}
	}
	return resultOf("Echo", err, header, trailer, received)
}

func serverStream(ctx context.Context, c demov1.DemoServiceClient, req *demov1.ServerStreamRequest, opts ...grpc.CallOption) callResult {
	stream, err := c.ServerStream(ctx, req, opts...)
	if err != nil {
		return resultOf("ServerStream", err, nil, nil, nil)
	}
	received, err := drain(stream.Recv)
	return endedStream("ServerStream", stream, received, err)
}

func clientStream(ctx context.Context, c demov1.DemoServiceClient, messages []string, opts ...grpc.CallOption) callResult {
	stream, err := c.ClientStream(ctx, opts...)
	if err != nil {
		return resultOf("ClientStream", err, nil, nil, nil)
	}
	for _, m := range messages {
		// A failed Send means the stream is over; CloseAndRecv tells its status.
		if stream.Send(&demov1.ClientStreamRequest{Message: m}) != nil {
			break
		}
	}
	resp, err := stream.CloseAndRecv()
	var received []string
	if err == nil {
		received = []string{resp.GetMessage()}
	}
	return endedStream("ClientStream", stream, received, err)
}

// chat sends each message and waits for its answer, then closes and reads to the end.
func chat(ctx context.Context, c demov1.DemoServiceClient, messages []string, opts ...grpc.CallOption) callResult {
	stream, err := c.Chat(ctx, opts...)
	if err != nil {
		return resultOf("Chat", err, nil, nil, nil)
	}
	var received []string
	for _, m := range messages {
		if stream.Send(&demov1.ChatRequest{Message: m}) != nil {
			break
		}
		resp, err := stream.Recv()
		if err != nil {
			return endedStream("Chat", stream, received, err)
		}
		received = append(received, resp.GetMessage())
	}
	if err := stream.CloseSend(); err != nil {
		return endedStream("Chat", stream, received, err)
	}
	rest, err := drain(stream.Recv)
	return endedStream("Chat", stream, append(received, rest...), err)
}

// drain receives until the stream ends, and returns the messages and nil for a clean end.
func drain[T interface{ GetMessage() string }](recv func() (T, error)) ([]string, error) {
	var received []string
	for {
		m, err := recv()
		if errors.Is(err, io.EOF) {
			return received, nil
		}
		if err != nil {
			return received, err
		}
		received = append(received, m.GetMessage())
	}
}

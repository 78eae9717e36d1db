package interceptors_test

import (
	"context"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
)

type grpcServer = grpc.Server

// contextProbe is a demo service whose Chat and Echo hand their context to seen, and whose
// Echo panics when told to.
type contextProbe struct {
	demov1.UnimplementedDemoServiceServer
	seen func(ctx context.Context)
}

func (p *contextProbe) Chat(stream demov1.DemoService_ChatServer) error {
	p.seen(stream.Context())
	return nil
}

func (p *contextProbe) Echo(ctx context.Context, req *demov1.EchoRequest) (*demov1.EchoResponse, error) {
	p.seen(ctx)
	if req.GetMessage() == "panic" {
		panic("handler exploded")
	}
	return &demov1.EchoResponse{}, nil
}

func (p *contextProbe) ServerStream(req *demov1.ServerStreamRequest, stream demov1.DemoService_ServerStreamServer) error {
	p.seen(stream.Context())
	if req.GetMessage() == "panic" {
		panic("stream handler exploded")
	}
	return nil
}

package attempts

import (
	"context"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Script is a server interceptor pair (Unary, Stream) that fails the attempts reaching the
// server as it says: attempt n ends with Codes[n-1] ("attempt n refused") unless that is OK,
// and attempts past the end of Codes run the handler. Chain it inside a server's tracing, so
// that each server span has its attempt's code. It is shared by the retry tests here and in
// the bench module's interop tests.
//
// With Hold and Entered set, the first attempt closes Entered and waits in the server until
// Hold is closed (or its context ends), holding its stream open.
type Script struct {
	Codes   []codes.Code
	Hold    chan struct{}
	Entered chan struct{}

	attempts atomic.Int32
}

func (s *Script) fail(ctx context.Context) error {
	n := int(s.attempts.Add(1))
	if n == 1 && s.Hold != nil {
		close(s.Entered)
		select {
		case <-s.Hold:
		case <-ctx.Done():
		}
	}
	if n <= len(s.Codes) && s.Codes[n-1] != codes.OK {
		return status.Errorf(s.Codes[n-1], "attempt %d refused", n)
	}
	return nil
}

// Unary is the script's unary server interceptor.
func (s *Script) Unary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := s.fail(ctx); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

// Stream is the script's stream server interceptor. It refuses an attempt once its first
// request is in, as a handler would: had the refusal reached the client before the client
// wrote its request, grpc-go v1.85 would report the attempt to stats handlers as a success
// (csAttempt.sendMsg turns the failed write into io.EOF; bench/interop's A72 tests show it).
func (s *Script) Stream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := s.fail(ss.Context()); err != nil {
		_ = ss.RecvMsg(new(emptypb.Empty))
		return err
	}
	return handler(srv, ss)
}

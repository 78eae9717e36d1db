package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// maxDelay bounds delay_ms so that no value overflows a time.Duration.
const maxDelay = 24 * time.Hour

// MaxStreamCount is the largest count a ServerStream request may ask for.
const MaxStreamCount = 100_000

// Hook runs inside a handler, once per request message, with the call's context. It returns
// the context the handler goes on with (for example one carrying a child span) and a function
// the handler calls when it is done with that message, with the outcome.
type Hook func(ctx context.Context, method, message string) (context.Context, func(err error))

// Option configures a Service.
type Option func(*Service)

// WithHook sets the hook each handler runs per request message. Default: none.
func WithHook(h Hook) Option {
	return func(s *Service) { s.hook = h }
}

// Service implements demov1.DemoServiceServer.
type Service struct {
	demov1.UnimplementedDemoServiceServer
	hook Hook
}

var _ demov1.DemoServiceServer = (*Service)(nil)

// NewService returns the demo service.
func NewService(opts ...Option) *Service {
	s := &Service{}
	for _, o := range opts {
		o(s)
	}
	return s
}

// work runs the per-message part of every handler: the hook, the wait and the failure.
func (s *Service) work(ctx context.Context, method, message string, delayMS int64, failCode int32) (err error) {
	if s.hook != nil {
		var done func(error)
		ctx, done = s.hook(ctx, method, message)
		defer func() { done(err) }()
	}
	if err := Wait(ctx, delayMS); err != nil {
		return err
	}
	return FailureFor(failCode)
}

// Echo answers with the request's message, after failing the first unavailable_attempts
// attempts of the call (see refuseAttempt).
func (s *Service) Echo(ctx context.Context, req *demov1.EchoRequest) (*demov1.EchoResponse, error) {
	if err := refuseAttempt(ctx, req.GetUnavailableAttempts()); err != nil {
		return nil, err
	}
	if err := s.work(ctx, "Echo", req.GetMessage(), req.GetDelayMs(), req.GetFailCode()); err != nil {
		return nil, err
	}
	return &demov1.EchoResponse{Message: req.GetMessage()}, nil
}

// ServerStream sends count responses, then ends with fail_code's status if it is set.
func (s *Service) ServerStream(req *demov1.ServerStreamRequest, stream demov1.DemoService_ServerStreamServer) error {
	if req.GetCount() < 0 || req.GetCount() > MaxStreamCount {
		return status.Errorf(codes.InvalidArgument, "count must be between 0 and %d, got %d", MaxStreamCount, req.GetCount())
	}
	ctx := stream.Context()
	for i := int32(0); i < req.GetCount(); i++ {
		if err := s.work(ctx, "ServerStream", req.GetMessage(), req.GetDelayMs(), 0); err != nil {
			return err
		}
		if err := stream.Send(&demov1.ServerStreamResponse{Message: fmt.Sprintf("%s #%d", req.GetMessage(), i+1)}); err != nil {
			return err
		}
	}
	return FailureFor(req.GetFailCode())
}

// ClientStream joins the messages it receives and answers once the client closes.
func (s *Service) ClientStream(stream demov1.DemoService_ClientStreamServer) error {
	ctx := stream.Context()
	var joined strings.Builder
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&demov1.ClientStreamResponse{Message: joined.String()})
		}
		if err != nil {
			return err
		}
		if err := s.work(ctx, "ClientStream", req.GetMessage(), req.GetDelayMs(), req.GetFailCode()); err != nil {
			return err
		}
		if joined.Len() > 0 {
			joined.WriteByte(' ')
		}
		joined.WriteString(req.GetMessage())
	}
}

// Chat answers every request with its message.
func (s *Service) Chat(stream demov1.DemoService_ChatServer) error {
	ctx := stream.Context()
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.work(ctx, "Chat", req.GetMessage(), req.GetDelayMs(), req.GetFailCode()); err != nil {
			return err
		}
		if err := stream.Send(&demov1.ChatResponse{Message: req.GetMessage()}); err != nil {
			return err
		}
	}
}

// previousAttemptsHeader is the header in which gRPC clients tell the number of attempts of
// the call before this one (gRFC A6); it is absent on the first attempt.
const previousAttemptsHeader = "grpc-previous-rpc-attempts"

// refuseAttempt fails an attempt with UNAVAILABLE while fewer than refused attempts of the
// call came before it, so that a client with a retry policy on UNAVAILABLE sees the call
// retried refused times. An attempt number that is not a number counts as the first.
func refuseAttempt(ctx context.Context, refused int32) error {
	if refused <= 0 {
		return nil
	}
	previous := 0
	if values := metadata.ValueFromIncomingContext(ctx, previousAttemptsHeader); len(values) > 0 {
		if n, err := strconv.Atoi(values[0]); err == nil && n > 0 {
			previous = n
		}
	}
	if previous < int(refused) {
		return status.Errorf(codes.Unavailable, "attempt %d refused on purpose (unavailable_attempts %d)", previous+1, refused)
	}
	return nil
}

// FailureFor maps a request's fail_code to the error the call ends with: nil for 0, the code
// itself for 1 to 16, and INVALID_ARGUMENT for anything else.
func FailureFor(failCode int32) error {
	switch {
	case failCode == 0:
		return nil
	case failCode >= 1 && failCode <= 16:
		return status.Errorf(codes.Code(failCode), "failure requested with fail_code %d", failCode)
	default:
		return status.Errorf(codes.InvalidArgument, "fail_code %d is not a gRPC code (1 to 16)", failCode)
	}
}

// Wait waits delayMS milliseconds, or returns the context's error as a gRPC status as soon as
// the context is done.
func Wait(ctx context.Context, delayMS int64) error {
	if delayMS <= 0 {
		return nil
	}
	delay := maxDelay
	if delayMS < int64(maxDelay/time.Millisecond) {
		delay = time.Duration(delayMS) * time.Millisecond
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
}

package interceptors

import (
	"context"
	"runtime/debug"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"google.golang.org/grpc"
)

// UnaryServerInterceptor reports every unary call to each reportable, in one pass.
func UnaryServerInterceptor(reportables ...ServerReportable) grpc.UnaryServerInterceptor {
	return (*Stack)(nil).UnaryServerInterceptor(reportables...)
}

// unaryInterceptor is UnaryServerInterceptor of a resolved stack.
func (stack *serverReportables) unaryInterceptor() grpc.UnaryServerInterceptor {
	timer := stack.timer
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		start := time.Now()
		meta := mw.NewServerCallMeta(info.FullMethod, nil, req)
		var inline [maxInlineReporters]Reporter
		// A unary call always reached a registered method.
		reps, ctx := stack.start(inline[:0], ctx, meta, start, true)
		postMsgReceive(reps, req, nil, timer.since(start))
		handlerReturned := false
		defer reportPanic(reps, start, &handlerReturned)
		resp, err = handler(ctx, req)
		handlerReturned = true
		d := time.Since(start)
		postMsgSend(reps, resp, err, timer.measured(d))
		postCall(reps, err, d)
		return resp, err
	}
}

// StreamServerInterceptor reports every streaming call, and each of its messages, to each
// reportable, in one pass and with one stream wrapper.
func StreamServerInterceptor(reportables ...ServerReportable) grpc.StreamServerInterceptor {
	return (*Stack)(nil).StreamServerInterceptor(reportables...)
}

// streamInterceptor is StreamServerInterceptor of a resolved stack.
func (stack *serverReportables) streamInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		start := time.Now()
		meta := mw.NewServerCallMeta(info.FullMethod, info, nil)
		wrapped := &serverStream{ServerStream: ss, timer: stack.timer}
		// grpc-go gives the unknown-service handler a nil srv.
		wrapped.reps, wrapped.ctx = stack.start(wrapped.inline[:0], ss.Context(), meta, start, srv != nil)
		handlerReturned := false
		defer reportPanic(wrapped.reps, start, &handlerReturned)
		err := handler(srv, wrapped)
		handlerReturned = true
		postCall(wrapped.reps, err, time.Since(start))
		return err
	}
}

// reportPanic, deferred, ends the call with a *PanicError when the handler panicked, then lets
// the panic go on: recovering is the job of a recovery interceptor, not of observability. A
// panic after the handler returned comes from a reporter; the call has been or is being
// reported, so it is left alone rather than reported twice.
func reportPanic(reps []Reporter, start time.Time, handlerReturned *bool) {
	if *handlerReturned {
		return
	}
	if value := recover(); value != nil {
		postCall(reps, &PanicError{Value: value, Stack: debug.Stack()}, time.Since(start))
		panic(value)
	}
}

// serverStream reports each message of a server stream and carries the derived context.
type serverStream struct {
	grpc.ServerStream
	ctx    context.Context
	timer  messageTimer
	inline [maxInlineReporters]Reporter
	reps   []Reporter
}

func (s *serverStream) Context() context.Context { return s.ctx }

func (s *serverStream) SendMsg(m any) error {
	start := s.timer.now()
	err := s.ServerStream.SendMsg(m)
	postMsgSend(s.reps, m, err, s.timer.since(start))
	return err
}

func (s *serverStream) RecvMsg(m any) error {
	start := s.timer.now()
	err := s.ServerStream.RecvMsg(m)
	postMsgReceive(s.reps, m, err, s.timer.since(start))
	return err
}

package interceptors

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// UnaryClientInterceptor reports every unary call to each reportable, in one pass.
func UnaryClientInterceptor(reportables ...ClientReportable) grpc.UnaryClientInterceptor {
	stack := newClientReportables(reportables)
	return stack.unaryInterceptor()
}

// unaryInterceptor is UnaryClientInterceptor of a resolved stack.
func (stack *clientReportables) unaryInterceptor() grpc.UnaryClientInterceptor {
	timer := stack.timer
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		start := time.Now()
		meta := mw.NewClientCallMeta(method, nil, req)
		var inline [maxInlineReporters]Reporter
		reps, ctx, rec := stack.start(inline[:0], ctx, meta, start, cc)
		postMsgSend(reps, req, nil, timer.since(start))
		err := invoker(withCallAttempts(ctx, rec), method, req, reply, cc, opts...)
		d := time.Since(start)
		postMsgReceive(reps, reply, err, timer.measured(d))
		postCall(reps, err, d)
		return err
	}
}

// StreamClientInterceptor reports every streaming call, and each of its messages, to each
// reportable, in one pass and with one stream wrapper. The call ends exactly once, when
// grpc-go finishes the stream, also when the caller abandons it (see the package
// documentation).
func StreamClientInterceptor(reportables ...ClientReportable) grpc.StreamClientInterceptor {
	stack := newClientReportables(reportables)
	return stack.streamInterceptor()
}

// streamInterceptor is StreamClientInterceptor of a resolved stack.
func (stack *clientReportables) streamInterceptor() grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		s := &clientStream{start: time.Now(), timer: stack.timer, serverStreams: desc.ServerStreams}
		meta := mw.NewClientCallMeta(method, desc, nil)
		var rec *callAttempts
		s.reps, ctx, rec = stack.start(s.inline[:0], ctx, meta, s.start, cc)
		if len(s.reps) == 0 {
			return streamer(ctx, desc, cc, method, opts...)
		}
		ctx = withCallAttempts(ctx, rec)
		// grpc-go calls OnFinish once, when it finishes the stream, whatever ends it: the final
		// status read, the caller's cancel or deadline, ClientConn.Close, a failed start. It
		// is the one way to learn that without touching the stream's Context, which commits
		// the attempt and so would turn off retries.
		opts = append(opts[:len(opts):len(opts)], grpc.OnFinish(s.onFinish))
		cs, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil {
			// Usually grpc-go's OnFinish has ended the call already; this is for an inner
			// interceptor that failed the call without reaching grpc-go.
			s.finish(err)
			return nil, err
		}
		s.ClientStream = cs
		return s, nil
	}
}

// clientStream reports each message of a client stream and ends the call exactly once.
//
// Operations (SendMsg, RecvMsg, Header) are counted while they run. The call ends when its
// outcome is known and no operation is running, so PostCall never overlaps with, nor comes
// before, a PostMsgSend or PostMsgReceive of the same call. The outcome is known when RecvMsg
// returns the final status, when SendMsg fails with anything but io.EOF, or when grpc-go
// finishes the stream (onFinish).
type clientStream struct {
	grpc.ClientStream
	start         time.Time
	timer         messageTimer
	serverStreams bool
	inline        [maxInlineReporters]Reporter
	reps          []Reporter

	mu       sync.Mutex
	inFlight int   // operations running now
	ended    bool  // PostCall has been claimed
	known    bool  // the outcome is known
	outcome  error // the call's final error, when known
	// A stream finished while an operation ran. It becomes the outcome when the operations
	// end, unless one of them received a message: then what finished was a stream of an
	// interceptor inside the stack that retries (go-grpc-middleware's retry opens a new
	// stream for the same call), not the caller's call.
	finishPending bool
	finishErr     error
}

func (s *clientStream) SendMsg(m any) error {
	if !s.beginOp() {
		return s.ClientStream.SendMsg(m)
	}
	start := s.timer.now()
	err := s.ClientStream.SendMsg(m)
	postMsgSend(s.reps, m, err, s.timer.since(start))
	// io.EOF means the stream is over; its status is for RecvMsg to tell.
	s.endOp(err != nil && !errors.Is(err, io.EOF), err, false)
	return err
}

func (s *clientStream) RecvMsg(m any) error {
	if !s.beginOp() {
		return s.ClientStream.RecvMsg(m)
	}
	start := s.timer.now()
	err := s.ClientStream.RecvMsg(m)
	postMsgReceive(s.reps, m, err, s.timer.since(start))
	switch {
	case err == nil && s.serverStreams:
		s.endOp(false, nil, true)
	case errors.Is(err, io.EOF):
		s.endOp(true, nil, false)
	default:
		// An error, or the one response of a call without a server stream.
		s.endOp(true, err, err == nil)
	}
	return err
}

// Header is passed through and counted as an operation. grpc-go's Header never fails: on a
// trailers-only response it finishes the stream (onFinish tells the status) and returns no
// error, and the caller reads the status with RecvMsg.
func (s *clientStream) Header() (metadata.MD, error) {
	if !s.beginOp() {
		return s.ClientStream.Header()
	}
	md, err := s.ClientStream.Header()
	s.endOp(err != nil, err, false)
	return md, err
}

// beginOp counts an operation in, unless the call has already ended.
func (s *clientStream) beginOp() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return false
	}
	s.inFlight++
	return true
}

// endOp counts an operation out, records the outcome if it is final, and ends the call when
// that is now due. received says the operation received a message.
func (s *clientStream) endOp(final bool, err error, received bool) {
	s.mu.Lock()
	s.inFlight--
	if final && !s.known {
		s.known, s.outcome = true, err
	}
	if received {
		s.finishPending, s.finishErr = false, nil
	}
	if s.inFlight == 0 && s.finishPending && !s.known {
		s.known, s.outcome = true, s.finishErr
	}
	due := s.claimEndLocked()
	s.mu.Unlock()
	if due {
		postCall(s.reps, s.outcome, time.Since(s.start))
	}
}

// onFinish is grpc-go's OnFinish callback: the stream is finished, with err. While an operation
// runs, the outcome waits for it (see finishPending).
func (s *clientStream) onFinish(err error) {
	s.mu.Lock()
	if s.inFlight > 0 {
		if !s.known {
			s.finishPending, s.finishErr = true, err
		}
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.finish(err)
}

// finish ends the call with err, unless its outcome is already known.
func (s *clientStream) finish(err error) {
	s.mu.Lock()
	if !s.known {
		s.known, s.outcome = true, err
	}
	due := s.claimEndLocked()
	s.mu.Unlock()
	if due {
		postCall(s.reps, s.outcome, time.Since(s.start))
	}
}

// claimEndLocked reports whether the caller must now run PostCall, and claims it if so.
func (s *clientStream) claimEndLocked() bool {
	if s.ended || s.inFlight > 0 || !s.known {
		return false
	}
	s.ended = true
	return true
}

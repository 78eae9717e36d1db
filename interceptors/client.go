package interceptors

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// UnaryClientInterceptor reports every unary call to each reportable, in one pass.
func UnaryClientInterceptor(reportables ...ClientReportable) grpc.UnaryClientInterceptor {
	reportables = withoutNil(reportables)
	timer := newMessageTimer(reportables)
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		start := time.Now()
		meta := mw.NewClientCallMeta(method, nil, req)
		var inline [maxInlineReporters]Reporter
		reps, ctx := startClientReporters(inline[:0], reportables, ctx, meta, cc)
		postMsgSend(reps, req, nil, timer.since(start))
		err := invoker(ctx, method, req, reply, cc, opts...)
		d := time.Since(start)
		postMsgReceive(reps, reply, err, timer.measured(d))
		postCall(reps, err, d)
		return err
	}
}

// StreamClientInterceptor reports every streaming call, and each of its messages, to each
// reportable, in one pass and with one stream wrapper. The call ends exactly once, also when
// the caller abandons the stream (see the package documentation).
func StreamClientInterceptor(reportables ...ClientReportable) grpc.StreamClientInterceptor {
	reportables = withoutNil(reportables)
	timer := newMessageTimer(reportables)
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		s := &clientStream{start: time.Now(), timer: timer, serverStreams: desc.ServerStreams}
		meta := mw.NewClientCallMeta(method, desc, nil)
		s.reps, ctx = startClientReporters(s.inline[:0], reportables, ctx, meta, cc)
		cs, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil {
			postCall(s.reps, err, time.Since(s.start))
			return nil, err
		}
		s.ClientStream, s.callerCtx = cs, ctx
		// The stream's context ends when the call completes, when the caller cancels or its
		// deadline passes, and when the connection closes. Whichever of those nobody else
		// reports, this does.
		s.stopWatch = context.AfterFunc(cs.Context(), s.onStreamContextDone)
		return s, nil
	}
}

// clientStream reports each message of a client stream and ends the call exactly once.
//
// Operations (SendMsg, RecvMsg, Header) are counted while they run. The call ends when its
// outcome is known and no operation is running, so PostCall never overlaps with, nor comes
// before, a PostMsgSend or PostMsgReceive of the same call. The outcome is known when RecvMsg
// returns the final status, when SendMsg or Header fails, or, failing those, when the stream's
// context is done.
type clientStream struct {
	grpc.ClientStream
	callerCtx     context.Context
	start         time.Time
	timer         messageTimer
	serverStreams bool
	inline        [maxInlineReporters]Reporter
	reps          []Reporter
	stopWatch     func() bool

	mu       sync.Mutex
	inFlight int   // operations running now
	ended    bool  // PostCall has been claimed
	known    bool  // the outcome is known
	outcome  error // the call's final error, when known
}

func (s *clientStream) SendMsg(m any) error {
	if !s.beginOp() {
		return s.ClientStream.SendMsg(m)
	}
	start := s.timer.now()
	err := s.ClientStream.SendMsg(m)
	postMsgSend(s.reps, m, err, s.timer.since(start))
	// io.EOF means the stream is over; its status is for RecvMsg to tell.
	s.endOp(err != nil && !errors.Is(err, io.EOF), err)
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
		s.endOp(false, nil)
	case errors.Is(err, io.EOF):
		s.endOp(true, nil)
	default:
		// An error, or the one response of a call without a server stream.
		s.endOp(true, err)
	}
	return err
}

func (s *clientStream) Header() (md metadata.MD, err error) {
	if !s.beginOp() {
		return s.ClientStream.Header()
	}
	md, err = s.ClientStream.Header()
	s.endOp(err != nil, err)
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
// that is now due.
func (s *clientStream) endOp(final bool, err error) {
	s.mu.Lock()
	s.inFlight--
	if final && !s.known {
		s.known, s.outcome = true, err
	}
	due := s.claimEndLocked()
	s.mu.Unlock()
	if due {
		s.stopWatch()
		postCall(s.reps, s.outcome, time.Since(s.start))
	}
}

// onStreamContextDone ends an abandoned call: one whose context ended while nobody was
// reading or writing.
func (s *clientStream) onStreamContextDone() {
	s.mu.Lock()
	due := s.claimEndLocked()
	s.mu.Unlock()
	if due {
		postCall(s.reps, s.outcome, time.Since(s.start))
	}
}

// claimEndLocked reports whether the caller must now run PostCall, and claims it if so.
func (s *clientStream) claimEndLocked() bool {
	if s.ended || s.inFlight > 0 {
		return false
	}
	if !s.known {
		if s.ClientStream.Context().Err() == nil {
			return false
		}
		s.known, s.outcome = true, abandonedError(s.callerCtx)
	}
	s.ended = true
	return true
}

// abandonedError is the outcome of a stream whose context ended before its status was read.
func abandonedError(callerCtx context.Context) error {
	if err := callerCtx.Err(); err != nil {
		return status.FromContextError(err).Err()
	}
	return status.Error(codes.Canceled, "the stream ended before its status was read")
}

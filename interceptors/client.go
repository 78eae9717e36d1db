package interceptors

import (
	"context"
	"io"
	"sync"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
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
		rec.end() // grpc-go has ended every attempt it made (see attempts.go)
		d := time.Since(start)
		postMsgReceive(reps, reply, err, timer.measured(d))
		postCall(reps, err, d)
		return err
	}
}

// StreamClientInterceptor reports every streaming call, and each of its messages, to each
// reportable, in one pass and with one stream wrapper. The call ends exactly once, when its
// outcome is known and no operation runs, also when the caller abandons it (see the package
// documentation).
func StreamClientInterceptor(reportables ...ClientReportable) grpc.StreamClientInterceptor {
	stack := newClientReportables(reportables)
	return stack.streamInterceptor()
}

// streamInterceptor is StreamClientInterceptor of a resolved stack.
func (stack *clientReportables) streamInterceptor() grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		s := &clientStream{start: time.Now(), timer: stack.timer, serverStreams: desc.ServerStreams, cc: cc}
		meta := mw.NewClientCallMeta(method, desc, nil)
		var rec *callAttempts
		s.reps, ctx, rec = stack.start(s.inline[:0], ctx, meta, s.start, cc)
		if len(s.reps) == 0 {
			return streamer(ctx, desc, cc, method, opts...)
		}
		s.ctx, s.attempts = withCallAttempts(ctx, rec), rec
		// grpc-go calls OnFinish once per stream it creates, whatever finishes it; it is the
		// one way to learn that without the stream's Context, which commits the attempt and so
		// would turn off retries.
		opts = append(opts[:len(opts):len(opts)], grpc.OnFinish(s.onFinish))
		cs, err := streamer(s.ctx, desc, cc, method, opts...)
		s.ClientStream = cs
		s.apply(func(c *clientCall) callAction { return c.created(err) })
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

// clientStream adapts a client stream call's lifecycle (clientCall) to grpc-go: it reports
// each message, feeds the machine every input under its mutex, and runs PostCall once, when
// the machine says so.
type clientStream struct {
	grpc.ClientStream
	start         time.Time
	timer         messageTimer
	serverStreams bool
	inline        [maxInlineReporters]Reporter
	reps          []Reporter
	ctx           context.Context // the context given to the streamer: the caller's, derived
	cc            *grpc.ClientConn
	attempts      *callAttempts // the call's attempts, when the stack follows them; ended with the call

	mu        sync.Mutex
	call      clientCall
	stopWatch func() bool // stops the context watch, once one was started
	// The grace for an unread finish: stopGrace stops the armed one, grace numbers them so a
	// stale one does nothing, and unreadAt is when the finish decided the call, the duration
	// it is recorded with if the caller reads no status.
	stopGrace func() bool
	grace     uint64
	unreadAt  time.Duration
}

// unreadGrace is how long a call that a finish decided waits for the caller to read its
// status (docs/DESIGN.md, "Client call lifecycle"). A caller reads it at once, or never.
const unreadGrace = time.Second

// armGrace runs f after d unless the returned function stops it first; tests replace it.
var armGrace = func(d time.Duration, f func()) (stop func() bool) { return time.AfterFunc(d, f).Stop }

func (s *clientStream) SendMsg(m any) error {
	if !s.begin() {
		return s.ClientStream.SendMsg(m)
	}
	start := s.timer.now()
	err := s.ClientStream.SendMsg(m)
	postMsgSend(s.reps, m, err, s.timer.since(start))
	switch {
	case err == nil:
		s.end(opProgress, nil)
	case err == io.EOF: // grpc-go tells the end of a stream by identity
		// The stream is over; its status is for RecvMsg to tell. A wrapped io.EOF (grpc-go's
		// "max retries exhausted: … EOF") is an error the caller gets, code Unknown.
		s.end(opNeutral, nil)
	default:
		s.end(opSendFailed, err)
	}
	return err
}

func (s *clientStream) RecvMsg(m any) error {
	if !s.begin() {
		return s.ClientStream.RecvMsg(m)
	}
	start := s.timer.now()
	err := s.ClientStream.RecvMsg(m)
	postMsgReceive(s.reps, m, err, s.timer.since(start))
	switch {
	case err == nil && s.serverStreams:
		s.end(opProgress, nil)
	case err == io.EOF: // by identity, as in SendMsg
		s.end(opObserved, nil)
	default:
		// An error, or the one response of a call without a server stream (grpc-go has read
		// its status then).
		s.end(opObserved, err)
	}
	return err
}

// Header is passed through and counted as an operation. grpc-go's Header never fails: on a
// trailers-only response it finishes the stream (a tentative finish) and returns no error,
// and the caller reads the status with RecvMsg.
func (s *clientStream) Header() (metadata.MD, error) {
	if !s.begin() {
		return s.ClientStream.Header()
	}
	md, err := s.ClientStream.Header()
	if err != nil {
		s.end(opObserved, err)
	} else {
		s.end(opNeutral, nil)
	}
	return md, err
}

// CloseSend is counted as an operation: grpc-go may finish the stream inside it (a retry that
// cannot start a new attempt), and still returns nil.
func (s *clientStream) CloseSend() error {
	if !s.begin() {
		return s.ClientStream.CloseSend()
	}
	err := s.ClientStream.CloseSend()
	s.end(opNeutral, nil)
	return err
}

func (s *clientStream) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.call.begin()
}

func (s *clientStream) end(r opResult, err error) {
	s.apply(func(c *clientCall) callAction { return c.end(r, err) })
}

// onFinish is grpc-go's OnFinish callback, for the caller's stream or one an inner interceptor
// created. It is final when every stream of the call is finished: the caller's context is done
// (grpc-go derives each stream's context from it) or the connection is shutting down.
func (s *clientStream) onFinish(err error) {
	final := s.ctx.Err() != nil || (s.cc != nil && s.cc.GetState() == connectivity.Shutdown)
	s.apply(func(c *clientCall) callAction { return c.finish(err, final) })
}

// apply feeds one input to the machine and does what it answers.
func (s *clientStream) apply(input func(*clientCall) callAction) {
	s.mu.Lock()
	switch input(&s.call) {
	case actWatch:
		s.stopWatch = context.AfterFunc(s.ctx, s.contextDone)
	case actGrace:
		if s.stopGrace != nil {
			s.stopGrace()
		} else {
			s.unreadAt = time.Since(s.start)
		}
		s.grace++
		grace := s.grace
		s.stopGrace = armGrace(unreadGrace, func() { s.graceOver(grace) })
	case actEnd:
		if s.stopWatch != nil {
			s.stopWatch()
		}
		d := time.Since(s.start)
		if s.stopGrace != nil {
			s.stopGrace()
			if !s.call.observed {
				d = s.unreadAt
			}
		}
		err := s.call.err
		s.mu.Unlock()
		s.attempts.end()
		postCall(s.reps, err, d)
		return
	}
	s.mu.Unlock()
}

func (s *clientStream) graceOver(grace uint64) {
	s.apply(func(c *clientCall) callAction {
		if grace != s.grace {
			return actNone
		}
		return c.graceOver()
	})
}

func (s *clientStream) contextDone() {
	err := status.FromContextError(s.ctx.Err()).Err()
	s.apply(func(c *clientCall) callAction { return c.contextDone(err) })
}

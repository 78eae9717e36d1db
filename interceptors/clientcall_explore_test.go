package interceptors_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// The schedule explorer drives the client stream wrapper through a fake grpc-go whose every
// decision (what the streams return, when each one finishes, when the caller's context is
// cancelled, whether an inner interceptor retries) is drawn from a seeded generator, and checks
// each schedule against the lifecycle's invariants (docs/DESIGN.md, "Client call lifecycle").
//
//	go test -race ./interceptors -run TestClientCallExplorer -explore.seed=N   # one schedule
//	GRPCOBS_EXPLORE_SCHEDULES=200000 go test ./interceptors -run TestClientCallExplorer
var exploreSeed = flag.Uint64("explore.seed", 0, "run only this schedule of the client call explorer (also GRPCOBS_EXPLORE_SEED)")

const defaultSchedules = 20000

func TestClientCallExplorer(t *testing.T) {
	seeds, n := uint64(1), uint64(defaultSchedules)
	if v := os.Getenv("GRPCOBS_EXPLORE_SCHEDULES"); v != "" {
		var err error
		if n, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("GRPCOBS_EXPLORE_SCHEDULES: %v", err)
		}
	}
	if v := os.Getenv("GRPCOBS_EXPLORE_SEED"); v != "" && *exploreSeed == 0 {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("GRPCOBS_EXPLORE_SEED: %v", err)
		}
		*exploreSeed = s
	}
	if *exploreSeed != 0 {
		seeds, n = *exploreSeed, 1
	}
	defer interceptors.SetArmGrace(armWorldGrace)()
	failures := 0
	for seed := seeds; seed < seeds+n; seed++ {
		if problems, trace := exploreSchedule(seed); len(problems) > 0 {
			t.Errorf("schedule %d (rerun: go test -race ./interceptors -run TestClientCallExplorer -explore.seed=%d):\n  %s\n  trace: %s",
				seed, seed, strings.Join(problems, "\n  "), trace)
			if failures++; failures == 5 {
				t.Fatalf("stopping after %d failing schedules", failures)
			}
		}
	}
}

// exploreSchedule runs one call under the schedule of seed and returns what it broke, with the
// schedule's trace.
func exploreSchedule(seed uint64) (problems []string, trace string) {
	w := newFakeWorld(seed)
	graceWorld.Store(w)
	rec := &lifecycleRecorder{done: make(chan struct{})}
	w.rec = rec
	intercept := interceptors.StreamClientInterceptor(rec)
	streamer := w.streamer
	if w.retryInside {
		streamer = func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			return w.retry(ctx, desc, cc, method, w.streamer, opts...)
		}
	}
	desc := &grpc.StreamDesc{StreamName: "Explore", ServerStreams: w.chance(0.7, "server streams"), ClientStreams: w.chance(0.5, "client streams")}
	cs, err := intercept(w.ctx, desc, nil, "/explore.v1.Explorer/Explore", streamer)
	if err != nil {
		w.observe(false, false, err)
	} else {
		w.callerOps(cs, desc)
	}
	w.point("after the caller")
	w.fire("cancel (the caller's cleanup)", w.cancelAll)
	// Time passes: a grace armed for an unread finish ends (the context watch may arm one
	// after the cleanup's cancel, on its own goroutine).
	timeout := time.After(5 * time.Second)
wait:
	for {
		w.fireGrace("the grace ends (the caller reads nothing more)")
		select {
		case <-rec.done:
			break wait
		case <-timeout:
			problems = append(problems, "the call never ended (no PostCall)")
			break wait
		case <-time.After(time.Millisecond):
		}
	}
	w.wg.Wait()
	want := w.expected()
	problems = append(problems, rec.check(want)...)
	w.mu.Lock()
	problems = append(problems, w.violations...)
	w.mu.Unlock()
	return problems, w.trace()
}

// lifecycleRecorder is a reportable for one call that checks the reporting contract as it goes.
type lifecycleRecorder struct {
	inFlight  atomic.Int32 // started calls minus PostCalls: the in-flight gauge
	reporting atomic.Int32 // message reports running now
	postCalls atomic.Int32
	messages  atomic.Int32 // message reports so far
	done      chan struct{}

	mu         sync.Mutex
	err        error
	violations []string
}

func (r *lifecycleRecorder) ClientReporter(ctx context.Context, _ interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	r.inFlight.Add(1)
	return r, ctx
}

func (r *lifecycleRecorder) violate(v string) {
	r.mu.Lock()
	r.violations = append(r.violations, v)
	r.mu.Unlock()
}

func (r *lifecycleRecorder) message(kind string) {
	r.reporting.Add(1)
	defer r.reporting.Add(-1)
	r.messages.Add(1)
	if r.postCalls.Load() > 0 {
		r.violate(kind + " after PostCall")
	}
}

func (r *lifecycleRecorder) PostMsgSend(any, error, time.Duration)    { r.message("PostMsgSend") }
func (r *lifecycleRecorder) PostMsgReceive(any, error, time.Duration) { r.message("PostMsgReceive") }

func (r *lifecycleRecorder) PostCall(err error, _ time.Duration) {
	if r.reporting.Load() != 0 {
		r.violate("PostCall overlapped a message report")
	}
	r.inFlight.Add(-1)
	if r.postCalls.Add(1) == 1 {
		r.mu.Lock()
		r.err = err
		r.mu.Unlock()
		close(r.done)
	}
}

// check returns every broken invariant of the finished call, given the code it must carry.
func (r *lifecycleRecorder) check(want codes.Code) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	problems := append([]string(nil), r.violations...)
	if n := r.postCalls.Load(); n != 1 {
		problems = append(problems, fmt.Sprintf("PostCall ran %d times, want once", n))
	} else if got := status.Code(r.err); got != want {
		problems = append(problems, fmt.Sprintf("the call ended %v, want %v", got, want))
	}
	if n := r.inFlight.Load(); n != 0 {
		problems = append(problems, fmt.Sprintf("in flight %d after the call, want 0", n))
	}
	return problems
}

// fakeWorld is a fake grpc-go for one call, and its caller, under one schedule.
type fakeWorld struct {
	rng    *rand.Rand
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	log      []string
	live     []*fakeStream // streams not yet finished
	observed error         // the first status RecvMsg gave the caller before the call ended (errNone until then)
	// sendObserved is the last status a failed SendMsg gave the caller before the call ended:
	// the call's, unless the caller then reads one with RecvMsg.
	sendObserved error
	rec          *lifecycleRecorder

	retryInside     bool
	failCreations   int // creations that fail UNAVAILABLE before one succeeds
	failFirstRecvs  int // streams whose first RecvMsg fails UNAVAILABLE
	messages        int // messages each stream sends before its status
	finalStatus     error
	callerStream    func() *fakeStream // the grpc-go stream the caller's stream now uses
	pEvent, pAbandn float64
	grace           *fakeGrace // the grace the wrapper armed last, if any
	graces          int        // graces ended so far
	violations      []string   // what the caller saw that the invariants forbid
}

// fakeGrace is a grace the wrapper armed for an unread finish: the schedule ends it.
type fakeGrace struct {
	fire          func()
	stopped, done bool
}

// graceWorld is the world of the schedule running now (schedules run one at a time).
var graceWorld atomic.Pointer[fakeWorld]

// armWorldGrace stands for time.AfterFunc: the grace ends when the schedule says, never by
// itself.
func armWorldGrace(_ time.Duration, fire func()) func() bool {
	w := graceWorld.Load()
	g := &fakeGrace{fire: fire}
	w.mu.Lock()
	w.grace = g
	w.mu.Unlock()
	return func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		stopped := !g.stopped && !g.done
		g.stopped = true
		return stopped
	}
}

// fireGrace ends the armed grace, if one is pending, as its timer would, and reports whether
// it did.
func (w *fakeWorld) fireGrace(what string) bool {
	w.mu.Lock()
	g := w.grace
	pending := g != nil && !g.stopped && !g.done
	if pending {
		g.done = true
		w.graces++
	}
	w.mu.Unlock()
	if pending {
		w.fire(what, g.fire)
	}
	return pending
}

var errNone = errors.New("nothing observed")

// errRetriesExhausted is what grpc-go's retry policy returns when it runs out on a stream that
// ended with io.EOF: a wrapped io.EOF, which is an error (code Unknown), not the end of a stream.
var errRetriesExhausted = fmt.Errorf("max retries exhausted: failed after 3 attempts: %w", io.EOF)

func newFakeWorld(seed uint64) *fakeWorld {
	w := &fakeWorld{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), observed: errNone, sendObserved: errNone}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.retryInside = w.chance(0.4, "retry interceptor inside the stack")
	w.failCreations = w.intn(3, "failed creations")
	w.failFirstRecvs = w.intn(3, "streams failing their first RecvMsg")
	w.messages = w.intn(4, "messages per stream")
	w.finalStatus = []error{nil, nil, status.Error(codes.NotFound, "scripted"), status.Error(codes.Unavailable, "scripted"), errRetriesExhausted}[w.intn(5, "final status")]
	w.pEvent = []float64{0.05, 0.2, 0.5}[w.intn(3, "event probability")]
	w.pAbandn = []float64{0, 0.1, 0.3}[w.intn(3, "abandon probability")]
	return w
}

func (w *fakeWorld) note(s string) {
	w.mu.Lock()
	w.log = append(w.log, s)
	w.mu.Unlock()
}

func (w *fakeWorld) trace() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.log, "; ")
}

func (w *fakeWorld) chance(p float64, what string) bool {
	ok := w.rng.Float64() < p
	if ok {
		w.note(what)
	}
	return ok
}

func (w *fakeWorld) intn(n int, what string) int {
	v := w.rng.IntN(n)
	w.note(fmt.Sprintf("%s=%d", what, v))
	return v
}

// fire runs an event on another goroutine, as grpc-go's context watcher would, and waits for
// it, so the schedule stays reproducible.
func (w *fakeWorld) fire(what string, event func()) {
	w.note("event: " + what)
	w.wg.Add(1)
	done := make(chan struct{})
	go func() {
		defer w.wg.Done()
		defer close(done)
		event()
	}()
	<-done
}

// point is a place where the schedule may fire an event: inside an operation, between two,
// during a creation.
func (w *fakeWorld) point(where string) {
	if !w.chance(w.pEvent, "at "+where) {
		return
	}
	switch w.intn(3, "event") {
	case 2:
		// The caller is slow to read a status a finish decided: the grace ends first.
		w.fireGrace("the grace ends")
	case 0:
		w.fire("cancel the caller's context", w.cancelAll)
	case 1:
		// A deadline of the stream's own (a service config's timeout): grpc-go's watcher
		// finishes the caller's stream while the caller's context is not done.
		if s := w.current(); s != nil {
			w.fire("the caller's stream times out", func() { s.finish(status.Error(codes.DeadlineExceeded, "stream timeout")) })
		}
	}
}

// cancelAll cancels the caller's context and, as grpc-go's watchers do, finishes every live
// stream with CANCELLED.
func (w *fakeWorld) cancelAll() {
	w.cancel()
	w.mu.Lock()
	live := append([]*fakeStream(nil), w.live...)
	w.mu.Unlock()
	for _, s := range live {
		if w.chance(0.3, "its status had come in before the cancel") {
			s.mu.Lock()
			s.statusIn = true
			s.mu.Unlock()
		}
		s.finish(status.Error(codes.Canceled, context.Canceled.Error()))
	}
}

func (w *fakeWorld) current() *fakeStream {
	if w.callerStream == nil {
		return nil
	}
	return w.callerStream()
}

// observe notes a status the caller got from an operation. endedBefore says the call had
// already ended when the operation began (the wrapper did not report it), graced that a grace
// had ended before it began. A call may end before the caller reads its status only once a
// grace has ended, or after the caller read another status.
func (w *fakeWorld) observe(endedBefore, graced bool, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if endedBefore {
		w.log = append(w.log, "observed after the end: "+status.Code(err).String())
		if w.observed == errNone && !graced {
			w.violations = append(w.violations, fmt.Sprintf("the call ended before the caller read its status (%v), with no grace ended", status.Code(err)))
		}
		return
	}
	if w.observed == errNone {
		w.observed = err
	}
}

// observeSend notes a status a failed SendMsg gave the caller, as observe does.
func (w *fakeWorld) observeSend(endedBefore, graced bool, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if endedBefore {
		w.log = append(w.log, "send failed after the end: "+status.Code(err).String())
		if w.observed == errNone && w.sendObserved == errNone && !graced {
			w.violations = append(w.violations, fmt.Sprintf("the call ended before the caller's send failed (%v), with no grace ended", status.Code(err)))
		}
		return
	}
	if w.observed == errNone {
		w.sendObserved = err
	}
}

// gracesEnded is how many graces the schedule has ended so far.
func (w *fakeWorld) gracesEnded() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.graces
}

// expected is the code the call must be recorded with: what the caller observed, or else what
// its stream was finished with.
func (w *fakeWorld) expected() codes.Code {
	w.mu.Lock()
	observed, sendObserved := w.observed, w.sendObserved
	w.mu.Unlock()
	if observed != errNone {
		return status.Code(observed)
	}
	if sendObserved != errNone {
		return status.Code(sendObserved)
	}
	s := w.current()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timedOut && s.supersededAfter {
		// The documented limit: a finish of the caller's stream that a message then seemed to
		// supersede is recorded with the status of the caller's context when it ends.
		return codes.Canceled
	}
	return status.Code(s.finishErr)
}

// streamer is the fake grpc-go's NewStream: it calls the OnFinish options it is given, like
// grpc-go, once per stream it creates (a failed creation included).
func (w *fakeWorld) streamer(ctx context.Context, desc *grpc.StreamDesc, _ *grpc.ClientConn, _ string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	s := &fakeStream{w: w, desc: desc, msgs: w.messages, status: w.finalStatus}
	for _, o := range opts {
		if f, ok := o.(grpc.OnFinishCallOption); ok {
			s.onFinish = append(s.onFinish, f.OnFinish)
		}
	}
	w.point("creation")
	var err error
	switch {
	case ctx.Err() != nil:
		err = status.Error(codes.Canceled, context.Canceled.Error())
	case w.failCreations > 0:
		w.failCreations--
		err = status.Error(codes.Unavailable, "creation refused")
	}
	if err != nil {
		s.finish(err)
		return nil, err
	}
	if w.failFirstRecvs > 0 {
		w.failFirstRecvs--
		s.msgs, s.status = 0, status.Error(codes.Unavailable, "first receive refused")
	}
	w.mu.Lock()
	w.live = append(w.live, s)
	w.mu.Unlock()
	if w.callerStream == nil {
		w.callerStream = func() *fakeStream { return s }
	}
	s.mu.Lock()
	s.creating = true
	s.mu.Unlock()
	w.point("the end of a creation")
	s.mu.Lock()
	s.creating = false
	s.mu.Unlock()
	return s, nil
}

// fakeStream is one fake grpc-go stream: msgs messages, then its status. It finishes exactly
// once: with its status, an operation's error, or a watcher's.
type fakeStream struct {
	w        *fakeWorld
	desc     *grpc.StreamDesc
	onFinish []func(error)

	mu        sync.Mutex
	finished  bool
	finishErr error
	msgs      int
	status    error
	// timedOut says the stream's own deadline finished it (a tentative finish); supersededAfter
	// that a message or the stream's creation came after that finish, as if it had been the
	// finish of a stream an inner interceptor threw away.
	timedOut, supersededAfter, creating, handed bool
	// statusIn says the stream had received all its messages and its status when a cancel
	// finished it: grpc-go's OnFinish then says CANCELLED, while RecvMsg still hands out the
	// messages, then returns the status that came in.
	statusIn bool
}

func (s *fakeStream) finish(err error) {
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		return
	}
	s.finished, s.finishErr = true, err
	s.timedOut = status.Code(err) == codes.DeadlineExceeded
	s.supersededAfter = s.creating
	s.mu.Unlock()
	s.w.mu.Lock()
	for i, l := range s.w.live {
		if l == s {
			s.w.live = append(s.w.live[:i], s.w.live[i+1:]...)
			break
		}
	}
	s.w.mu.Unlock()
	for _, f := range s.onFinish {
		f(err)
	}
}

func (s *fakeStream) isFinished() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finished, s.finishErr
}

func asReturned(err error) error {
	if err == nil {
		return io.EOF
	}
	return err
}

func (s *fakeStream) RecvMsg(any) error {
	s.w.point("RecvMsg")
	if done, err := s.isFinished(); done {
		s.mu.Lock()
		statusIn := s.statusIn
		s.mu.Unlock()
		if statusIn {
			if s.msgs > 0 {
				s.msgs--
				s.handedAfterFinish()
				return nil
			}
			return asReturned(s.status)
		}
		// A message grpc-go had buffered may still come out after the finish.
		if s.msgs > 0 && s.w.chance(0.5, "a buffered message after the finish") {
			s.msgs--
			s.handedAfterFinish()
			return nil
		}
		return asReturned(err)
	}
	if s.msgs > 0 {
		s.msgs--
		// The finish may come while RecvMsg hands back this message.
		s.w.point("RecvMsg returning a message")
		if !s.desc.ServerStreams {
			if done, err := s.isFinished(); done {
				return asReturned(err)
			}
			s.finish(nil)
		}
		s.handedAfterFinish()
		return nil
	}
	s.finish(s.status)
	return asReturned(s.status)
}

// handedAfterFinish notes a message handed out by a finished stream; the caller marks the
// stream superseded if the wrapper reported it (it came before the call's end).
func (s *fakeStream) handedAfterFinish() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handed = s.finished
}

// takeHanded reports whether the last message came from the finished stream, and marks the
// stream superseded if reported says the call counted it.
func (s *fakeStream) takeHanded(reported bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handed && reported {
		s.supersededAfter = true
	}
	s.handed = false
}

func (s *fakeStream) SendMsg(any) error {
	s.w.point("SendMsg")
	if done, err := s.isFinished(); done {
		s.mu.Lock()
		statusIn := s.statusIn
		s.mu.Unlock()
		if statusIn && s.w.chance(0.5, "SendMsg returns the finish") {
			// grpc-go's SendMsg returns the error of a client-side end (a new attempt the
			// closing connection refused) while RecvMsg returns the status that came in.
			return err
		}
		if err == errRetriesExhausted {
			return err // grpc-go's SendMsg returns its retry policy's error
		}
		return io.EOF
	}
	return nil
}

// Header finishes a stream that has no message (a trailers-only response) and, like grpc-go's,
// returns no error.
func (s *fakeStream) Header() (metadata.MD, error) {
	s.w.point("Header")
	if done, _ := s.isFinished(); done {
		return nil, nil
	}
	if s.msgs == 0 {
		s.finish(s.status)
		return nil, nil
	}
	return metadata.MD{}, nil
}

func (s *fakeStream) CloseSend() error {
	s.w.point("CloseSend")
	return nil
}

func (s *fakeStream) Trailer() metadata.MD     { return nil }
func (s *fakeStream) Context() context.Context { panic("the wrapper must not call Context") }

// retry is a fake of go-grpc-middleware's retry stream interceptor, chained inside the stack: it
// re-creates a stream, with the same call options, after a failed creation or a first RecvMsg
// that fails UNAVAILABLE.
func (w *fakeWorld) retry(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	const attempts = 4
	for i := 1; ; i++ {
		cs, err := streamer(ctx, desc, cc, method, opts...)
		if err == nil {
			r := &retryingStream{ClientStream: cs, left: attempts - i, reopen: func() (grpc.ClientStream, error) {
				return streamer(ctx, desc, cc, method, opts...)
			}}
			w.callerStream = func() *fakeStream { return r.current() }
			return r, nil
		}
		if status.Code(err) != codes.Unavailable || i == attempts {
			return nil, err
		}
	}
}

type retryingStream struct {
	grpc.ClientStream
	mu       sync.Mutex
	left     int
	received bool
	reopen   func() (grpc.ClientStream, error)
}

func (r *retryingStream) current() *fakeStream {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ClientStream.(*fakeStream)
}

func (r *retryingStream) RecvMsg(m any) error {
	for {
		cs := r.currentStream()
		err := cs.RecvMsg(m)
		if err == nil {
			r.received = true
		}
		if status.Code(err) != codes.Unavailable || r.received || r.left == 0 {
			return err
		}
		for {
			r.left--
			ns, err := r.reopen()
			if err == nil {
				r.mu.Lock()
				r.ClientStream = ns
				r.mu.Unlock()
				break
			}
			if status.Code(err) != codes.Unavailable || r.left == 0 {
				return err
			}
		}
	}
}

func (r *retryingStream) currentStream() grpc.ClientStream {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ClientStream
}

func (r *retryingStream) SendMsg(m any) error          { return r.currentStream().SendMsg(m) }
func (r *retryingStream) Header() (metadata.MD, error) { return r.currentStream().Header() }
func (r *retryingStream) CloseSend() error             { return r.currentStream().CloseSend() }

// callerOps is the caller: it may read the headers, sends, and reads until the status, until
// its context is done, or until it walks away.
func (w *fakeWorld) callerOps(cs grpc.ClientStream, desc *grpc.StreamDesc) {
	if w.chance(0.2, "caller reads the headers") {
		_, _ = cs.Header()
		w.point("after Header")
	}
	sends := 1
	if desc.ClientStreams {
		sends = w.intn(3, "sends")
	}
	for range sends {
		before, graced := w.rec.messages.Load(), w.gracesEnded() > 0
		if err := cs.SendMsg(struct{}{}); err != nil && err != io.EOF { // grpc-go's convention: by identity
			w.observeSend(w.rec.messages.Load() == before, graced, err)
			// grpc-go says that status is the call's; much code reads RecvMsg's all the same.
			if !w.chance(0.5, "caller reads the status after a failed send") {
				return
			}
			break
		}
		w.point("between sends")
	}
	if w.chance(0.7, "caller closes the send side") {
		_ = cs.CloseSend()
		w.point("after CloseSend")
	}
	for {
		before, graced := w.rec.messages.Load(), w.gracesEnded() > 0
		err := cs.RecvMsg(new(struct{}))
		// An operation that the wrapper did not report began after the call ended.
		ended := w.rec.messages.Load() == before
		if s := w.current(); s != nil {
			s.takeHanded(!ended)
		}
		switch {
		case err == io.EOF: // grpc-go's convention: by identity
			w.observe(ended, graced, nil)
			return
		case err != nil:
			w.observe(ended, graced, err)
			return
		case !desc.ServerStreams:
			w.observe(ended, graced, nil)
			return
		}
		// The caller of defect 1: it stops reading once its context is done.
		if w.ctx.Err() != nil {
			w.note("caller stops: its context is done")
			return
		}
		if w.chance(w.pAbandn, "caller walks away") {
			return
		}
		w.point("between receives")
	}
}

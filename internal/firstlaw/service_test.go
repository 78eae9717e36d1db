package firstlaw_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grpcobs/grpcobs/internal/demo"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Header and trailer keys the service sets on every attempt, so that the suite can compare
// what reaches the caller.
const (
	headerKey  = "x-firstlaw-header"
	trailerKey = "x-firstlaw-trailer"
)

// service is the demo service (echo, fail_code, delay_ms) with what the suite needs around it:
// it counts the attempts that reach a handler, remembers the metadata each one received and
// the code it returned, runs the scenario's before hook first, and sets a trailer (saying how
// many attempts of the call came before) and, once the hook lets the attempt through, a header.
type service struct {
	demo *demo.Service
	// before, if set, runs first in every attempt, with its number (from 1); an error ends the
	// attempt with it, before any message is read or sent.
	before func(ctx context.Context, attempt int) error
	// contextEnd, if set, is what an attempt returns instead of the status of its context's
	// end, once the scenario calls callerDone. Whether the server sees a passed deadline as its
	// own timer (DEADLINE_EXCEEDED) or as the client's RST_STREAM (CANCELLED) is a race, and so
	// is whether the client's timer or the server's status ends the call first. A scenario
	// about deadlines sets this, and calls callerDone once its calls have returned, so that
	// neither the handler's outcome nor the caller's depends on those races.
	contextEnd error
	callerEnd  chan struct{}

	mu       sync.Mutex
	attempts int
	returned []codes.Code
	incoming []map[string][]string
	changed  chan struct{} // closed and replaced whenever an attempt enters or returns
}

func newService() *service {
	return &service{demo: demo.NewService(), changed: make(chan struct{})}
}

// register registers the service as grpcobs.demo.v1.DemoService.
func (s *service) register(srv *grpc.Server) {
	demov1.RegisterDemoServiceServer(srv, demoServer{s: s})
}

// enter counts an attempt in, sets its header and trailer, and runs the before hook.
func (s *service) enter(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	md = md.Copy()
	for _, key := range ignoredMetadata {
		delete(md, key)
	}
	s.mu.Lock()
	s.attempts++
	attempt := s.attempts
	s.incoming = append(s.incoming, md)
	s.notifyLocked()
	s.mu.Unlock()
	previous := "0"
	if v := md.Get("grpc-previous-rpc-attempts"); len(v) > 0 {
		previous = v[0]
	}
	if err := grpc.SetTrailer(ctx, metadata.Pairs(trailerKey, "after "+previous+" previous attempts")); err != nil {
		return streamDone(ctx, "set trailer", err)
	}
	if s.before != nil {
		if err := s.before(ctx, attempt); err != nil {
			return err
		}
	}
	// Set only now: headers make the response more than trailers-only, which grpc-go does not
	// retry.
	if err := grpc.SetHeader(ctx, metadata.Pairs(headerKey, "set by the handler")); err != nil {
		return streamDone(ctx, "set header", err)
	}
	return nil
}

// streamDone is what an attempt returns when setting its metadata failed: grpc-go refuses it
// once the stream is done, as when the caller cancelled it, and the attempt then returns its
// context's status, which follows at once; whether a cancel came before or after the handler
// set its metadata is a race, not an outcome to compare. Any other failure is Internal.
func streamDone(ctx context.Context, what string, err error) error {
	select {
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	case <-time.After(time.Second):
		return status.Errorf(codes.Internal, "%s: %v", what, err)
	}
}

// ignoredMetadata are the incoming keys that differ between the runs of a scenario by
// design: the trace context and baggage the client stack adds, and the authority, which names
// each run's own server address.
var ignoredMetadata = []string{"traceparent", "tracestate", "baggage", ":authority"}

// incomingMetadata returns the metadata each attempt received, less ignoredMetadata, sorted
// (concurrent attempts come in any order).
func (s *service) incomingMetadata() []map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.incoming)
	slices.SortFunc(out, func(a, b map[string][]string) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return out
}

// endOnContext makes the attempts whose context ends return err, once callerDone is called.
func (s *service) endOnContext(err error) {
	s.contextEnd, s.callerEnd = err, make(chan struct{})
}

// callerDone lets the attempts waiting for it return (see contextEnd).
func (s *service) callerDone() { close(s.callerEnd) }

// leave records the code an attempt returns, which it returns.
func (s *service) leave(ctx context.Context, err error) error {
	if s.contextEnd != nil && ctx.Err() != nil {
		if code := status.Code(err); code == codes.Canceled || code == codes.DeadlineExceeded {
			<-s.callerEnd
			err = s.contextEnd
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.returned = append(s.returned, status.Code(err))
	s.notifyLocked()
	return err
}

// notifyLocked wakes whoever waits for an attempt to enter or return.
func (s *service) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// seen returns the attempts that reached a handler and the codes of those that returned,
// sorted.
func (s *service) seen() (attempts int, returned []codes.Code) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts, sortedCodes(s.returned)
}

// waitEntered waits until n attempts have entered a handler, or ctx is done.
func (s *service) waitEntered(ctx context.Context, n int) error {
	return s.waitFor(ctx, func() bool { return s.attempts >= n })
}

// waitAllReturned waits until every attempt that entered a handler has returned, or ctx is
// done.
func (s *service) waitAllReturned(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return len(s.returned) == s.attempts })
}

// waitFor waits until cond, called with s.mu held, is true, or ctx is done.
func (s *service) waitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		done, changed := cond(), s.changed
		s.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func sortedCodes(cs []codes.Code) []codes.Code {
	out := slices.Clone(cs)
	slices.Sort(out)
	return out
}

// demoServer adapts service to demov1.DemoServiceServer.
type demoServer struct {
	demov1.UnimplementedDemoServiceServer
	s *service
}

func (d demoServer) Echo(ctx context.Context, req *demov1.EchoRequest) (_ *demov1.EchoResponse, err error) {
	defer func() { err = d.s.leave(ctx, err) }()
	if err := d.s.enter(ctx); err != nil {
		return nil, err
	}
	return d.s.demo.Echo(ctx, req)
}

func (d demoServer) ServerStream(req *demov1.ServerStreamRequest, stream demov1.DemoService_ServerStreamServer) (err error) {
	defer func() { err = d.s.leave(stream.Context(), err) }()
	if err := d.s.enter(stream.Context()); err != nil {
		return err
	}
	return d.s.demo.ServerStream(req, stream)
}

func (d demoServer) ClientStream(stream demov1.DemoService_ClientStreamServer) (err error) {
	defer func() { err = d.s.leave(stream.Context(), err) }()
	if err := d.s.enter(stream.Context()); err != nil {
		return err
	}
	return d.s.demo.ClientStream(stream)
}

func (d demoServer) Chat(stream demov1.DemoService_ChatServer) (err error) {
	defer func() { err = d.s.leave(stream.Context(), err) }()
	if err := d.s.enter(stream.Context()); err != nil {
		return err
	}
	return d.s.demo.Chat(stream)
}

package firstlaw_test

import (
	"context"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/retry"
	"github.com/grpcobs/grpcobs/internal/firstlaw"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Metadata keys by which a chaos call tells the service which call it is and how many of its
// attempts to refuse.
const (
	chaosCallKey   = "x-chaos-call"
	chaosRefuseKey = "x-chaos-refuse"
)

// chaosWorld is one run of a round: the service behind a server on a fixed loopback port,
// which the round may stop, restart (listening on the same port again) or start late, and a
// client connection, bare or with the full stack on both sides.
type chaosWorld struct {
	t          *testing.T
	addr       string
	svc        *service
	serverOpts []grpc.ServerOption
	client     *grpc.ClientConn
	obs        *firstlaw.Observers // nil when bare

	mu       sync.Mutex
	srv      *grpc.Server
	served   chan struct{} // closed when srv's Serve returns
	attempts map[int]int   // attempts that reached the service, by call
	returned []codes.Code  // what each handler returned, as the innermost interceptor saw it
}

func newChaosWorld(t *testing.T, r chaosRound, instrumented bool) *chaosWorld {
	t.Helper()
	w := &chaosWorld{t: t, addr: freeLoopbackAddr(t), svc: newService(), attempts: map[int]int{}}
	w.svc.before = w.before
	dialOpts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	if instrumented {
		var stackServer []grpc.ServerOption
		var stackDial []grpc.DialOption
		w.obs, stackServer, stackDial = firstlaw.FullStack(t)
		w.serverOpts = stackServer
		dialOpts = append(stackDial, dialOpts...)
	}
	// Stop waits for the handlers to return, so that once the world is shut down no attempt
	// can reach a handler any more.
	w.serverOpts = append(w.serverOpts, grpc.WaitForHandlers(true),
		grpc.ChainUnaryInterceptor(w.unaryReturned), grpc.ChainStreamInterceptor(w.streamReturned))
	if r.goaway != nil {
		w.serverOpts = append(w.serverOpts, grpc.KeepaliveParams(*r.goaway))
	}
	if r.retryPolicy {
		dialOpts = append(dialOpts, grpc.WithDefaultServiceConfig(retryServiceConfig))
	}
	if r.mwRetry {
		// Chained after the stack's interceptors, so they run inside it.
		mw := []retry.CallOption{retry.WithMax(3), retry.WithCodes(codes.Unavailable), retry.WithBackoff(retry.BackoffLinear(5 * time.Millisecond))}
		dialOpts = append(dialOpts,
			grpc.WithChainUnaryInterceptor(retry.UnaryClientInterceptor(mw...)),
			grpc.WithChainStreamInterceptor(retry.StreamClientInterceptor(mw...)))
	}
	client, err := grpc.NewClient(w.addr, dialOpts...)
	if err != nil {
		t.Fatalf("client for %s: %v", w.addr, err)
	}
	w.client = client
	t.Cleanup(w.shutdown)
	return w
}

// shutdown closes the client and stops the server, once both sides' calls are over.
func (w *chaosWorld) shutdown() {
	_ = w.client.Close()
	w.stop(false)
}

// freeLoopbackAddr returns a loopback address with a port nobody listens on.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	addr := lis.Addr().String()
	if err := lis.Close(); err != nil {
		t.Fatalf("close %s: %v", addr, err)
	}
	return addr
}

// start serves on the world's address, with a new grpc.Server each time.
func (w *chaosWorld) start() {
	lis, err := net.Listen("tcp", w.addr)
	if err != nil {
		w.t.Errorf("listen on %s again: %v", w.addr, err)
		return
	}
	srv := grpc.NewServer(w.serverOpts...)
	w.svc.register(srv)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(lis)
	}()
	w.mu.Lock()
	w.srv, w.served = srv, served
	w.mu.Unlock()
}

// stop stops the running server, if any, and waits for it.
func (w *chaosWorld) stop(graceful bool) {
	w.mu.Lock()
	srv, served := w.srv, w.served
	w.srv, w.served = nil, nil
	w.mu.Unlock()
	if srv == nil {
		return
	}
	if graceful {
		srv.GracefulStop()
	} else {
		srv.Stop()
	}
	<-served
}

// disrupt does the round's disruption, disruptAt after the round started.
func (w *chaosWorld) disrupt(r chaosRound, started time.Time) {
	if r.disruption == disNone {
		return
	}
	time.Sleep(time.Until(started.Add(r.disruptAt)))
	switch r.disruption {
	case disStop:
		w.stop(false)
	case disGracefulStop:
		w.stop(true)
	case disRestart:
		w.stop(false)
		time.Sleep(r.downFor)
		w.start()
	case disCloseConn:
		_ = w.client.Close()
	}
}

// before refuses the first attempts of a call, as many as it asked for, with UNAVAILABLE and
// nothing else sent: a trailers-only response, which grpc-go's retry policy may retry.
func (w *chaosWorld) before(ctx context.Context, _ int) error {
	call, _ := strconv.Atoi(firstValue(ctx, chaosCallKey))
	refuse, _ := strconv.Atoi(firstValue(ctx, chaosRefuseKey))
	w.mu.Lock()
	w.attempts[call]++
	attempt := w.attempts[call]
	w.mu.Unlock()
	if attempt <= refuse {
		return status.Errorf(codes.Unavailable, "attempt %d of call %d refused", attempt, call)
	}
	return nil
}

// unaryReturned and streamReturned, chained after the stack (inside it), record the code
// each call's handler returned: what the server stack must record. A stream's generated
// handler reads the request before the service's method runs, so a stream cancelled early
// reaches the handler but never the service.
func (w *chaosWorld) unaryReturned(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	w.handlerReturned(err)
	return resp, err
}

func (w *chaosWorld) streamReturned(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	err := handler(srv, ss)
	w.handlerReturned(err)
	return err
}

func (w *chaosWorld) handlerReturned(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.returned = append(w.returned, status.Code(err))
}

// handlerCodes returns the codes the handlers returned.
func (w *chaosWorld) handlerCodes() []codes.Code {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.returned)
}

// callAttempts returns the attempts of each call that reached the handler.
func (w *chaosWorld) callAttempts() map[int]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[int]int, len(w.attempts))
	for k, v := range w.attempts {
		out[k] = v
	}
	return out
}

func firstValue(ctx context.Context, key string) string {
	if v := metadata.ValueFromIncomingContext(ctx, key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// ready connects the client and waits until it is ready.
func (w *chaosWorld) ready() { waitReady(w.t, w.client) }

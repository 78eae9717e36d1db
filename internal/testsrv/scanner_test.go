package testsrv_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/grpcobs/grpcobs/internal/testsrv"
	"google.golang.org/grpc"
)

// methodLog records the method of every call a server serves.
type methodLog struct {
	mu      sync.Mutex
	methods []string
}

func (l *methodLog) intercept(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	l.mu.Lock()
	l.methods = append(l.methods, info.FullMethod)
	l.mu.Unlock()
	return handler(srv, ss)
}

func (l *methodLog) seen() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.methods...)
}

// CallRandomMethods makes exactly n calls, each to a method of its own, and the same seed
// calls the same methods again.
func TestCallRandomMethodsCallsNDistinctMethods(t *testing.T) {
	var log methodLog
	h := testsrv.Start(t, testsrv.WithServerOptions(
		grpc.UnknownServiceHandler(testsrv.EchoAnything), grpc.StreamInterceptor(log.intercept)))
	const n = 101 // not a multiple of the workers
	testsrv.CallRandomMethods(t, t.Context(), h.Conn, 1, n)
	first := log.seen()
	if len(first) != n {
		t.Fatalf("%d calls served, want %d", len(first), n)
	}
	distinct := map[string]bool{}
	for _, m := range first {
		if len(strings.Split(m, "/")) != 3 {
			t.Fatalf("method %q, want /package.Service/Method", m)
		}
		distinct[m] = true
	}
	if len(distinct) != n {
		t.Errorf("%d distinct methods over %d calls, want one each", len(distinct), n)
	}
	testsrv.CallRandomMethods(t, t.Context(), h.Conn, 1, n)
	for _, m := range log.seen()[n:] {
		if !distinct[m] {
			t.Fatalf("seed 1 called %q the second time, not among the first time's methods", m)
		}
	}
}

// A call that fails fails the test, which CallRandomMethods stops at once.
func TestCallRandomMethodsFailsOnAFailedCall(t *testing.T) {
	h := testsrv.Start(t) // no unknown-service handler: every random method is Unimplemented
	fake := &failureRecorder{TB: t}
	func() {
		defer func() { _ = recover() }() // FailNow of the fake ends the call by a panic
		testsrv.CallRandomMethods(fake, t.Context(), h.Conn, 1, 8)
	}()
	if !fake.failed || !fake.stopped {
		t.Errorf("after calls to unserved methods: failed %v, stopped %v; want both", fake.failed, fake.stopped)
	}
}

// failureRecorder is a testing.TB that records failures instead of failing the test.
type failureRecorder struct {
	testing.TB
	mu              sync.Mutex
	failed, stopped bool
}

func (f *failureRecorder) Helper() {}

func (f *failureRecorder) Errorf(string, ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
}

func (f *failureRecorder) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (f *failureRecorder) FailNow() {
	f.stopped = true
	panic("FailNow")
}

func TestHeapAfterGCSeesWhatIsLive(t *testing.T) {
	before := testsrv.HeapAfterGC()
	kept := make([]byte, 8<<20)
	after := testsrv.HeapAfterGC()
	if after-before < 8<<20 {
		t.Errorf("live heap grew by %d bytes with 8 MiB kept, want at least that", after-before)
	}
	_ = kept[len(kept)-1]
}

package health_test

import (
	"context"
	"testing"

	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	_ "google.golang.org/grpc/health" // turns on client-side health checking
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
)

// backend is a real demo server on loopback TCP whose readiness a dependency decides.
type backend struct {
	addr string
	dep  *dependency
}

func startBackend(t *testing.T) backend {
	t.Helper()
	r, _ := newRegistry(t)
	dep := &dependency{}
	if err := r.Register("dep", dep, withFast()...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	r.Start(context.Background())
	awaitStatus(t, r, health.Readiness, serving)
	h := testsrv.Start(t, testsrv.WithTCP(), testsrv.WithRegister(func(s *grpc.Server) {
		demov1.RegisterDemoServiceServer(s, demo.NewService())
		healthpb.RegisterHealthServer(s, health.NewServer(r))
	}))
	return backend{addr: h.Addr, dep: dep}
}

func TestClientSideHealthCheckingStopsSendingToANotServingBackend(t *testing.T) {
	a, b := startBackend(t), startBackend(t)
	res := manual.NewBuilderWithScheme("grpcobs-health-test")
	res.InitialState(resolver.State{Addresses: []resolver.Address{{Addr: a.addr}, {Addr: b.addr}}})
	conn, err := grpc.NewClient(res.Scheme()+":///backends",
		grpc.WithResolvers(res),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(`{
			"loadBalancingConfig": [{"round_robin": {}}],
			"healthCheckConfig": {"serviceName": "readiness"}
		}`),
	)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	client := demov1.NewDemoServiceClient(conn)

	// call makes one Echo and returns the address of the backend that answered.
	call := func() string {
		t.Helper()
		var p peer.Peer
		if _, err := client.Echo(rpcContext(t), &demov1.EchoRequest{Message: "hi"}, grpc.Peer(&p), grpc.WaitForReady(true)); err != nil {
			t.Fatalf("Echo: %v", err)
		}
		return p.Addr.String()
	}
	// until calls until pred holds for the last n answers in a row.
	until := func(n int, pred func(addr string) bool) {
		t.Helper()
		ctx := rpcContext(t)
		for inARow := 0; inARow < n; {
			if ctx.Err() != nil {
				t.Fatalf("no %d calls in a row went where expected within %v", n, testTimeout)
			}
			if pred(call()) {
				inARow++
			} else {
				inARow = 0
			}
		}
	}
	counts := func(calls int) map[string]int {
		got := make(map[string]int)
		for range calls {
			got[call()]++
		}
		return got
	}

	// Both ready: once each has answered a call (neither becomes unready by itself), round
	// robin alternates between them.
	seen := map[string]bool{}
	until(1, func(addr string) bool { seen[addr] = true; return seen[a.addr] && seen[b.addr] })
	if got := counts(10); got[a.addr] != 5 || got[b.addr] != 5 {
		t.Fatalf("with both backends ready, 10 calls went %v; want 5 to each", got)
	}

	// B's dependency dies: B turns NOT_SERVING and the client stops sending to it. Round robin
	// over two ready backends never sends 3 in a row to one of them, so 3 in a row to A
	// means the client took B out.
	b.dep.set(errDown)
	until(3, func(addr string) bool { return addr == a.addr })
	if got := counts(20); got[a.addr] != 20 {
		t.Errorf("with backend B not serving, 20 calls went %v; want all to A (%s)", got, a.addr)
	}

	// B comes back and gets calls again.
	b.dep.set(nil)
	until(1, func(addr string) bool { return addr == b.addr })
}

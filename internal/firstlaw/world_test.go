package firstlaw_test

import (
	"context"
	"testing"

	"github.com/grpcobs/grpcobs/internal/firstlaw"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
)

// testTimeout bounds every wait: a call, a wait for the handler. It is a deadline against
// hangs, never a performance assertion.
const testTimeout = firstlaw.Timeout

// world is one run of a scenario: the service behind a server on loopback TCP, and a client
// connection of its own, either bare or with grpcobs' full stack on both sides.
type world struct {
	*testsrv.Harness
	svc *service
	// client is the scenario's connection: through the client stack when instrumented.
	client *grpc.ClientConn
	// obs holds what the stack recorded; nil when bare.
	obs *firstlaw.Observers
}

// setup is what a scenario adds to a world.
type setup struct {
	// server options come after the stack's, so interceptors among them run inside it.
	server []grpc.ServerOption
	dial   []grpc.DialOption
	// unreachable says the client cannot connect until the scenario lets it: the world does
	// not wait for the connection to be ready.
	unreachable bool
}

func startWorld(t *testing.T, instrumented bool, svc *service, su setup) *world {
	t.Helper()
	w := &world{svc: svc}
	serverOpts, dialOpts := su.server, su.dial
	if instrumented {
		var stackServer []grpc.ServerOption
		var stackDial []grpc.DialOption
		w.obs, stackServer, stackDial = firstlaw.FullStack(t)
		serverOpts = append(stackServer, serverOpts...)
		dialOpts = append(stackDial, dialOpts...)
	}
	w.Harness = testsrv.Start(t,
		testsrv.WithTCP(),
		testsrv.WithServerOptions(serverOpts...),
		testsrv.WithRegister(svc.register),
	)
	client, err := w.Dial(dialOpts...)
	if err != nil {
		t.Fatalf("dial the scenario's client: %v", err)
	}
	t.Cleanup(func() { _ = client.Close() })
	w.client = client
	if !su.unreachable {
		// Connect before the scenario starts, so that its deadlines count from a ready
		// channel in both runs.
		waitReady(t, client)
	}
	return w
}

func waitReady(t *testing.T, cc *grpc.ClientConn) {
	t.Helper()
	ctx := testContext(t)
	cc.Connect()
	for state := cc.GetState(); state != connectivity.Ready; state = cc.GetState() {
		if !cc.WaitForStateChange(ctx, state) {
			t.Fatalf("the client never connected: %v", ctx.Err())
		}
	}
}

// demo is a DemoService client on the scenario's connection.
func (w *world) demo() demov1.DemoServiceClient { return demov1.NewDemoServiceClient(w.client) }

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

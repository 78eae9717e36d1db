package health_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/health"
	"go.uber.org/goleak"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// recvStatus receives one message of a Watch stream and fails the test unless it is want.
func recvStatus(t *testing.T, stream healthpb.Health_WatchClient, want healthpb.HealthCheckResponse_ServingStatus) {
	t.Helper()
	resp, err := stream.Recv()
	if err != nil {
		t.Fatalf("Watch Recv: %v (waiting for %v)", err, want)
	}
	if got := resp.GetStatus(); got != want {
		t.Fatalf("Watch sent %v, want %v", got, want)
	}
}

func TestWatchSendsTheCurrentStatusThenEveryChange(t *testing.T) {
	r, _ := newRegistry(t)
	dep := &dependency{}
	if err := r.Register("dep", dep, withFast()...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	client := healthpb.NewHealthClient(serveHealth(t, health.NewServer(r)).Conn)
	stream, err := client.Watch(rpcContext(t), &healthpb.HealthCheckRequest{Service: health.Readiness})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}

	recvStatus(t, stream, notServing) // not started: no result yet
	r.Start(context.Background())
	recvStatus(t, stream, serving)
	dep.set(errDown)
	recvStatus(t, stream, notServing)
	dep.set(nil)
	recvStatus(t, stream, serving)
	r.Shutdown()
	recvStatus(t, stream, notServing)
	r.Resume()
	recvStatus(t, stream, serving)
}

func TestWatchOfAnUnknownServiceStaysOpenUntilItAppears(t *testing.T) {
	r, _ := newRegistry(t)
	client := healthpb.NewHealthClient(serveHealth(t, health.NewServer(r)).Conn)
	stream, err := client.Watch(rpcContext(t), &healthpb.HealthCheckRequest{Service: "pkg.Late"})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	recvStatus(t, stream, unknown)
	if err := r.AddService("pkg.Late"); err != nil {
		t.Fatalf("AddService: %v", err)
	}
	recvStatus(t, stream, serving)
	if err := r.Register("dep", &dependency{}, health.Gates("pkg.Late")); err != nil { // pending
		t.Fatalf("Register: %v", err)
	}
	recvStatus(t, stream, notServing)
}

func TestRegistryWatchCoalescesForASlowReader(t *testing.T) {
	r, _ := newRegistry(t)
	ctx, cancel := context.WithCancel(context.Background())
	updates := r.Watch(ctx, health.Readiness)

	// Three changes while nobody reads: only the latest waits in the channel.
	r.Shutdown()
	r.Resume()
	r.Shutdown()
	if got := <-updates; got != notServing {
		t.Errorf("first read = %v, want the latest status, NOT_SERVING", got)
	}
	select {
	case st := <-updates:
		t.Errorf("a second status waits in the channel: %v, want none", st)
	default:
	}

	cancel()
	if st, open := <-updates; open {
		t.Errorf("after its context ended the channel gave %v, want it closed", st)
	}
}

func TestCancelledWatchersLeaveNothingBehind(t *testing.T) {
	r, _ := newRegistry(t)
	h := serveHealth(t, health.NewServer(r))
	client := healthpb.NewHealthClient(h.Conn)
	if _, err := client.Check(rpcContext(t), &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatalf("Check: %v", err) // the connection is up before the goroutine baseline
	}
	baseline := goleak.IgnoreCurrent()

	const watchers = 100
	ctx, cancel := context.WithCancel(context.Background())
	streams := make([]healthpb.Health_WatchClient, watchers)
	for i := range streams {
		stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: fmt.Sprintf("svc%d", i%3)})
		if err != nil {
			t.Fatalf("Watch: %v", err)
		}
		recvStatus(t, stream, unknown)
		streams[i] = stream
	}
	if got := r.WatcherCount(); got != watchers {
		t.Fatalf("registry holds %d watches, want %d", got, watchers)
	}
	cancel()
	for _, stream := range streams {
		if _, err := stream.Recv(); err == nil {
			t.Fatalf("Recv on a cancelled stream succeeded")
		}
	}
	goleak.VerifyNone(t, baseline)
	if got := r.WatcherCount(); got != 0 {
		t.Errorf("registry holds %d watches after every watcher left, want 0", got)
	}
}

// TestAThousandWatchersSeeEveryTransition opens 1,000 Watch streams on one connection and
// moves readiness through four transitions, each once every watcher has seen the previous
// one: every stream must see exactly the whole sequence.
func TestAThousandWatchersSeeEveryTransition(t *testing.T) {
	const watchers = 1000
	want := []healthpb.HealthCheckResponse_ServingStatus{notServing, serving, notServing, serving, notServing}

	r, _ := newRegistry(t)
	dep := &dependency{}
	if err := r.Register("dep", dep, withFast()...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	client := healthpb.NewHealthClient(serveHealth(t, health.NewServer(r)).Conn)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()

	begin := time.Now()
	seen := make([]sync.WaitGroup, len(want)) // seen[i] is done when every watcher saw want[i]
	for i := range seen {
		seen[i].Add(watchers)
	}
	var (
		mu       sync.Mutex
		failures []string
	)
	var readers sync.WaitGroup
	for w := range watchers {
		stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: health.Readiness})
		if err != nil {
			t.Fatalf("Watch %d: %v", w, err)
		}
		readers.Go(func() {
			for i, wantStatus := range want {
				resp, err := stream.Recv()
				if err != nil || resp.GetStatus() != wantStatus {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("watcher %d, message %d: got %v (error %v), want %v", w, i, resp.GetStatus(), err, wantStatus))
					mu.Unlock()
					for ; i < len(want); i++ {
						seen[i].Done()
					}
					return
				}
				seen[i].Done()
			}
		})
	}

	seen[0].Wait()
	r.Start(context.Background()) // passes: SERVING
	seen[1].Wait()
	dep.set(errDown)
	seen[2].Wait()
	dep.set(nil)
	seen[3].Wait()
	r.Shutdown()
	seen[4].Wait()
	t.Logf("%d watchers saw %d statuses each in %v", watchers, len(want), time.Since(begin))
	cancel()
	readers.Wait()
	for _, f := range failures[:min(len(failures), 10)] {
		t.Error(f)
	}
	if len(failures) > 0 {
		t.Errorf("%d watchers failed", len(failures))
	}
}

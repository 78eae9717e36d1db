package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/health/checks"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

const (
	serving    = healthpb.HealthCheckResponse_SERVING
	notServing = healthpb.HealthCheckResponse_NOT_SERVING
)

// The health services of the faulty checkers.
const (
	hungService     = "hung.v1.Service"
	panicService    = "panics.v1.Service"
	flappingService = "flapping.v1.Service"
)

// TestHealthFaultsThroughTheWholeStack serves grpc.health.v1 behind the whole stack, from a
// registry whose checkers misbehave all at once: one hangs forever, ignoring its context; one
// panics on every run; one flaps on every run; and one dials a real TCP dependency that the
// test kills and restarts while 1,000 Watch streams follow readiness and 100 more follow the
// flapping service. Then the health server shuts down under the watchers. Throughout, the
// process stays up, Check answers every service at once with the status the checks give it,
// and every watcher sees each phase's final status. Afterwards, every Watch ended once on
// each side (span, log line, handled counter, all CANCELED), nothing is in flight, and no
// goroutine is left behind.
func TestHealthFaultsThroughTheWholeStack(t *testing.T) {
	dependency := startDependency(t)
	release := make(chan struct{})
	var flapping atomic.Bool
	flapping.Store(true)
	flapped := make(chan struct{}, 1) // a run that started after flapping stopped has passed
	var flaps atomic.Int64

	logger := logrus.New()
	logger.SetOutput(io.Discard)
	registry := health.NewRegistry(health.WithLogger(logger))
	// Every check runs every 20ms and turns failing at its first failure. The faulty ones time
	// out after 50ms; the dependency's dial has a second, so that only killing it fails it.
	fast := []health.CheckOption{health.Every(20 * time.Millisecond), health.FailureThreshold(1)}
	register := func(name string, c health.CheckFunc, service string) {
		t.Helper()
		if err := registry.Register(name, c, slices.Concat(fast, []health.CheckOption{health.Timeout(50 * time.Millisecond), health.Gates(service)})...); err != nil {
			t.Fatalf("Register %s: %v", name, err)
		}
	}
	register("hung", func(context.Context) error { <-release; return nil }, hungService)
	register("panics", func(context.Context) error { panic("the checker panicked") }, panicService)
	register("flapping", func(context.Context) error {
		if !flapping.Load() {
			select {
			case flapped <- struct{}{}:
			default:
			}
			return nil
		}
		if flaps.Add(1)%2 == 0 {
			return errors.New("flap")
		}
		return nil
	}, flappingService)
	if err := registry.Register("dependency", checks.TCP(dependency.addr), slices.Concat(fast, []health.CheckOption{health.Timeout(time.Second), health.Gates(health.Overall, health.Readiness)})...); err != nil {
		t.Fatalf("Register dependency: %v", err)
	}
	// Cleanups run last first: the hung checker returns before the registry stops.
	t.Cleanup(registry.Stop)
	t.Cleanup(func() { close(release) })
	registry.Start(context.Background())

	healthServer := health.NewServer(registry)
	s := startStack(t, stackConfig{register: func(srv *grpc.Server) { healthpb.RegisterHealthServer(srv, healthServer) }})
	client := healthpb.NewHealthClient(s.Client)
	checker := &prompt{t: t, client: client}
	// The checkers have run, the connection is up: the baseline for goroutines.
	eventually(t, func() bool {
		st, _ := registry.Status(health.Readiness)
		hung, _ := registry.Status(hungService)
		return st == serving && hung == notServing
	}, func() string { return "readiness SERVING and the hung checker NOT_SERVING" })
	checker.want(map[string]healthpb.HealthCheckResponse_ServingStatus{
		health.Readiness: serving, health.Overall: serving, health.Liveness: serving,
		hungService: notServing, panicService: notServing,
	})
	goroutinesBefore, leakBaseline := runtime.NumGoroutine(), goleak.IgnoreCurrent()

	readiness := watch(t, client, health.Readiness, 1000)
	flappers := watch(t, client, flappingService, 100)
	readiness.await(t, serving)

	dependency.kill(t)
	readiness.await(t, notServing)
	checker.want(map[string]healthpb.HealthCheckResponse_ServingStatus{
		health.Readiness: notServing, health.Overall: notServing, health.Liveness: serving,
		hungService: notServing, panicService: notServing,
	})
	dependency.restart(t)
	readiness.await(t, serving)
	checker.want(map[string]healthpb.HealthCheckResponse_ServingStatus{health.Readiness: serving, health.Overall: serving})

	flapping.Store(false)
	select {
	case <-flapped:
	case <-time.After(testTimeout):
		t.Fatalf("the flapping checker did not run again within %v", testTimeout)
	}
	flappers.await(t, serving)
	t.Logf("the flapping checker flapped %d times under %d watchers", flaps.Load()/2, len(flappers.latest))

	healthServer.Shutdown()
	readiness.await(t, notServing)
	flappers.await(t, notServing)
	checker.want(map[string]healthpb.HealthCheckResponse_ServingStatus{
		health.Readiness: notServing, health.Overall: notServing, health.Liveness: notServing,
		hungService: notServing, panicService: notServing, flappingService: notServing,
	})

	readiness.stop(t)
	flappers.stop(t)
	eventually(t, func() bool { return inFlight(t, s.Registry) == 0 }, func() string {
		return fmt.Sprintf("%v calls still in flight", inFlight(t, s.Registry))
	})
	checkWatchesEnded(t, s, len(readiness.latest)+len(flappers.latest), checker.calls)

	registry.Stop() // no check runs from here on, so no goroutine comes and goes
	dependency.kill(t)
	eventually(t, func() bool { return runtime.NumGoroutine() <= goroutinesBefore }, func() string {
		return fmt.Sprintf("%d goroutines, %d before the watchers", runtime.NumGoroutine(), goroutinesBefore)
	})
	t.Logf("goroutines: %d before the watchers, %d after", goroutinesBefore, runtime.NumGoroutine())
	goleak.VerifyNone(t, leakBaseline)
}

// checkWatchesEnded checks that each Watch ended once, CANCELED, on both sides and in every
// signal, and that the Checks were counted.
func checkWatchesEnded(t *testing.T, s *stack, watches, checks int) {
	t.Helper()
	series := func(method, typ, code string) string {
		return labelsKey(map[string]string{"grpc_type": typ, "grpc_service": "grpc.health.v1.Health", "grpc_method": method, "grpc_code": code})
	}
	want := map[string]float64{
		series("Watch", "server_stream", "Canceled"): float64(watches),
		series("Check", "unary", "OK"):               float64(checks),
	}
	for _, side := range []string{"server", "client"} {
		if diff := cmp.Diff(want, nonZero(t, s.Registry, "grpc_"+side+"_handled_total")); diff != "" {
			t.Errorf("grpc_%s_handled_total (-want +got):\n%s", side, diff)
		}
	}
	spans := s.ended(t, 2*(watches+checks))
	for _, kind := range []trace.SpanKind{trace.SpanKindServer, trace.SpanKindClient} {
		cancelled := 0
		for _, span := range ofKind(spans, kind) {
			if span.Name() == "grpc.health.v1.Health/Watch" && attrs(span)["rpc.response.status_code"] == "CANCELLED" {
				cancelled++
			}
		}
		if cancelled != watches {
			t.Errorf("%d %v spans of a cancelled Watch, want %d", cancelled, kind, watches)
		}
	}
	for side, log := range map[string]*lineSink{"server": s.ServerLog, "client": s.ClientLog} {
		cancelled := 0
		for _, line := range finishLines(t, log) {
			if line["grpc.method"] == "Watch" && line["grpc.code"] == "Canceled" {
				cancelled++
			}
		}
		if cancelled != watches {
			t.Errorf("%d %s finish lines of a cancelled Watch, want %d", cancelled, side, watches)
		}
	}
}

// prompt checks statuses with Check, each within a deadline far shorter than the hung
// checker's hang (forever): an answer proves Check did not wait on a checker.
type prompt struct {
	t      *testing.T
	client healthpb.HealthClient
	calls  int
}

func (p *prompt) want(statuses map[string]healthpb.HealthCheckResponse_ServingStatus) {
	p.t.Helper()
	for service, want := range statuses {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		resp, err := p.client.Check(ctx, &healthpb.HealthCheckRequest{Service: service})
		cancel()
		p.calls++
		if err != nil || resp.GetStatus() != want {
			p.t.Errorf("Check(%q) = %v, %v; want %v", service, resp.GetStatus(), err, want)
		}
	}
}

// watchers are Watch streams on one service, each read by a goroutine that keeps the latest
// status it received.
type watchers struct {
	service string
	cancel  context.CancelFunc
	latest  []atomic.Int32
	ended   sync.WaitGroup
	mu      sync.Mutex
	errs    []error
}

func watch(t *testing.T, client healthpb.HealthClient, service string, n int) *watchers {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w := &watchers{service: service, cancel: cancel, latest: make([]atomic.Int32, n)}
	for i := range w.latest {
		w.latest[i].Store(-1)
		stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: service})
		if err != nil {
			t.Fatalf("Watch %q: %v", service, err)
		}
		w.ended.Go(func() {
			for {
				resp, err := stream.Recv()
				if err != nil {
					w.mu.Lock()
					w.errs = append(w.errs, err)
					w.mu.Unlock()
					return
				}
				w.latest[i].Store(int32(resp.GetStatus()))
			}
		})
	}
	return w
}

// await waits until every watcher's latest status is want.
func (w *watchers) await(t *testing.T, want healthpb.HealthCheckResponse_ServingStatus) {
	t.Helper()
	behind := func() int {
		n := 0
		for i := range w.latest {
			if w.latest[i].Load() != int32(want) {
				n++
			}
		}
		return n
	}
	eventually(t, func() bool { return behind() == 0 }, func() string {
		return fmt.Sprintf("%d of %d watchers of %q have not seen %v", behind(), len(w.latest), w.service, want)
	})
}

// stop cancels the watches and waits for every stream to end, with CANCELED.
func (w *watchers) stop(t *testing.T) {
	t.Helper()
	w.cancel()
	w.ended.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.errs) != len(w.latest) {
		t.Fatalf("%d of %d watches of %q ended", len(w.errs), len(w.latest), w.service)
	}
	for _, err := range w.errs {
		if status.Code(err) != codes.Canceled {
			t.Errorf("a watch of %q ended with %v, want CANCELED", w.service, err)
		}
	}
}

// dependency is a TCP service that the test can kill and restart on the same address.
type dependency struct {
	addr string

	mu       sync.Mutex
	listener net.Listener
	accepted sync.WaitGroup
}

func startDependency(t *testing.T) *dependency {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	d := &dependency{addr: lis.Addr().String()}
	d.serve(lis)
	t.Cleanup(func() { d.kill(t) })
	return d
}

// serve accepts connections and closes them at once, until the listener closes.
func (d *dependency) serve(lis net.Listener) {
	d.mu.Lock()
	d.listener = lis
	d.mu.Unlock()
	d.accepted.Go(func() {
		for {
			conn, err := lis.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	})
}

func (d *dependency) kill(t *testing.T) {
	t.Helper()
	d.mu.Lock()
	lis := d.listener
	d.listener = nil
	d.mu.Unlock()
	if lis != nil {
		_ = lis.Close()
		d.accepted.Wait()
	}
}

func (d *dependency) restart(t *testing.T) {
	t.Helper()
	lis, err := net.Listen("tcp", d.addr)
	if err != nil {
		t.Fatalf("restart the dependency on %s: %v", d.addr, err)
	}
	d.serve(lis)
}

package health_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

const (
	serving    = healthpb.HealthCheckResponse_SERVING
	notServing = healthpb.HealthCheckResponse_NOT_SERVING
	unknown    = healthpb.HealthCheckResponse_SERVICE_UNKNOWN
)

// testTimeout bounds every wait of a test that runs in real time.
const testTimeout = 20 * time.Second

// newLogger returns a logger that writes nowhere, at debug level, and the hook that keeps
// its entries.
func newLogger() (*logrus.Logger, *test.Hook) {
	logger := logrus.New()
	logger.SetOutput(io.Discard)
	logger.SetLevel(logrus.DebugLevel)
	return logger, test.NewLocal(logger)
}

// newRegistry returns a registry that logs into a hook, and stops it when the test ends.
func newRegistry(t testing.TB, opts ...health.Option) (*health.Registry, *test.Hook) {
	t.Helper()
	logger, hook := newLogger()
	r := health.NewRegistry(append([]health.Option{health.WithLogger(logger)}, opts...)...)
	t.Cleanup(r.Stop)
	return r, hook
}

// dependency is a checker whose result the test sets.
type dependency struct {
	mu   sync.Mutex
	err  error
	runs int
}

// errDown is what a dependency that the test took down answers.
var errDown = errors.New("dependency down")

func (d *dependency) Check(context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.runs++
	return d.err
}

func (d *dependency) set(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.err = err
}

func (d *dependency) runCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.runs
}

// serveHealth starts a gRPC server with the health service srv through the shared harness.
func serveHealth(t testing.TB, srv healthpb.HealthServer, opts ...testsrv.Option) *testsrv.Harness {
	t.Helper()
	return testsrv.Start(t, append([]testsrv.Option{testsrv.WithRegister(func(s *grpc.Server) {
		healthpb.RegisterHealthServer(s, srv)
	})}, opts...)...)
}

// awaitStatus waits until service has status want, following the registry's Watch.
func awaitStatus(t *testing.T, r *health.Registry, service string, want healthpb.HealthCheckResponse_ServingStatus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	for st := range r.Watch(ctx, service) {
		if st == want {
			return
		}
	}
	got, _ := r.Status(service)
	t.Fatalf("service %q is still %v after %v, want %v", service, got, testTimeout, want)
}

// rpcContext returns a context for one RPC of a real-time test.
func rpcContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

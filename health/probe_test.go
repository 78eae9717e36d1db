package health_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/health/checks"
	"github.com/grpcobs/grpcobs/health/internal/loopback"
	"github.com/grpcobs/grpcobs/internal/testsrv"
)

// grpc_health_probe's exit codes, from its main.go (v0.4.61).
const (
	probeServing          = 0
	probeConnectionFailed = 2 // StatusConnectionFailure
	probeRPCFailed        = 3 // StatusRPCFailure: NOT_FOUND for an unknown service lands here
	probeUnhealthy        = 4 // StatusUnhealthy: the answer was not SERVING
)

// probeBinary finds grpc_health_probe on PATH (make test puts the pinned build first). It
// fails the test when the tool is missing and GRPCOBS_REQUIRE_TOOLS=1, and skips otherwise.
func probeBinary(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("grpc_health_probe")
	if err != nil {
		if os.Getenv("GRPCOBS_REQUIRE_TOOLS") == "1" {
			t.Fatalf("grpc_health_probe is required (GRPCOBS_REQUIRE_TOOLS=1) but not on PATH: %v; `make tools` builds it", err)
		}
		t.Skipf("grpc_health_probe not on PATH: %v", err)
	}
	return path
}

// probe runs grpc_health_probe against addr for service and returns its exit code and
// output.
func probe(t *testing.T, addr, service string, extra ...string) (int, string) {
	t.Helper()
	args := append([]string{"-addr=" + addr, "-service=" + service, "-connect-timeout=5s", "-rpc-timeout=5s"}, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, probeBinary(t), args...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), strings.TrimSpace(string(out))
	case err != nil:
		t.Fatalf("run grpc_health_probe %v: %v", args, err)
	}
	return 0, strings.TrimSpace(string(out))
}

// deadAddr returns a loopback address where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := lis.Addr().String()
	if err := lis.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return addr
}

func TestGrpcHealthProbeExitCodes(t *testing.T) {
	probeBinary(t)
	r, _ := newRegistry(t)
	if err := r.Register("dep", &dependency{}, withFast()...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if err := r.Register("down", &dependency{err: errDown}, withFast(health.Gates("pkg.Down"))...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	r.Start(context.Background())
	awaitStatus(t, r, health.Readiness, serving)
	h := serveHealth(t, health.NewServer(r), testsrv.WithTCP())

	dead := deadAddr(t)
	for _, tc := range []struct {
		name, addr, service string
		extra               []string
		wantCode            int
		wantOut             string
	}{
		{name: "overall serving", addr: h.Addr, service: "", wantCode: probeServing, wantOut: "status: SERVING"},
		{name: "readiness serving", addr: h.Addr, service: "readiness", wantCode: probeServing, wantOut: "status: SERVING"},
		{name: "not serving", addr: h.Addr, service: "pkg.Down", wantCode: probeUnhealthy, wantOut: `service unhealthy (responded with "NOT_SERVING")`},
		{name: "unknown service", addr: h.Addr, service: "nope", wantCode: probeRPCFailed, wantOut: "error: health rpc failed: rpc error: code = NotFound desc = unknown service"},
		{
			name: "dead port", addr: dead, service: "", extra: []string{"-connect-timeout=300ms"},
			wantCode: probeConnectionFailed, wantOut: `timeout: failed to connect service "` + dead + `" within 300ms`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := probe(t, tc.addr, tc.service, tc.extra...)
			if code != tc.wantCode || out != tc.wantOut {
				t.Errorf("grpc_health_probe -service=%q: exit %d, output %q; want exit %d, output %q", tc.service, code, out, tc.wantCode, tc.wantOut)
			}
		})
	}
}

func TestGrpcHealthProbeFollowsADependencyThatDiesAndComesBack(t *testing.T) {
	probeBinary(t)
	dependency := loopback.Start(t, loopback.Discard)
	r, hook := newRegistry(t)
	const threshold = 3
	if err := r.Register("dependency", checks.TCP(dependency.Addr()),
		health.Every(10*time.Millisecond), health.FailureThreshold(threshold)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	r.Start(context.Background())
	h := serveHealth(t, health.NewServer(r), testsrv.WithTCP())

	awaitStatus(t, r, health.Readiness, serving)
	if code, out := probe(t, h.Addr, health.Readiness); code != probeServing {
		t.Fatalf("probe while the dependency is up: exit %d (%s), want %d", code, out, probeServing)
	}

	dependency.Stop()
	awaitStatus(t, r, health.Readiness, notServing)
	if code, out := probe(t, h.Addr, health.Readiness); code != probeUnhealthy {
		t.Fatalf("probe once the dependency died: exit %d (%s), want %d", code, out, probeUnhealthy)
	}
	// It turned exactly at the threshold: the failure line says how many runs failed.
	if !r.FlushLogs(testTimeout) {
		t.Fatalf("the log lines were not written within %v", testTimeout)
	}
	var failing []int
	for _, e := range hook.AllEntries() {
		if e.Message == "health check failing" {
			failing = append(failing, e.Data["health.consecutive_failures"].(int))
		}
	}
	if len(failing) != 1 || failing[0] != threshold {
		t.Errorf("the check turned failing after %v failed runs, want once, after %d", failing, threshold)
	}
	if code, out := probe(t, h.Addr, health.Liveness); code != probeServing {
		t.Errorf("liveness probe while the dependency is down: exit %d (%s), want %d", code, out, probeServing)
	}

	dependency.Restart()
	awaitStatus(t, r, health.Readiness, serving)
	if code, out := probe(t, h.Addr, health.Readiness); code != probeServing {
		t.Fatalf("probe once the dependency came back: exit %d (%s), want %d", code, out, probeServing)
	}
}

func TestGrpcHealthProbeSeesAStatusSetByHand(t *testing.T) {
	probeBinary(t)
	r, _ := newRegistry(t)
	srv := health.NewServer(r)
	h := serveHealth(t, srv, testsrv.WithTCP())
	for _, step := range []struct {
		set      func()
		wantCode int
	}{
		{set: func() {}, wantCode: probeRPCFailed}, // not a service yet: NOT_FOUND
		{set: func() { srv.SetServingStatus("pkg.Manual", notServing) }, wantCode: probeUnhealthy},
		{set: func() { srv.SetServingStatus("pkg.Manual", serving) }, wantCode: probeServing},
		{set: r.Shutdown, wantCode: probeUnhealthy},
		{set: r.Resume, wantCode: probeServing},
	} {
		step.set()
		if code, out := probe(t, h.Addr, "pkg.Manual"); code != step.wantCode {
			t.Errorf("grpc_health_probe -service=pkg.Manual: exit %d (%s), want %d", code, out, step.wantCode)
		}
	}
}

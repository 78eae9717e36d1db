package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// serverProcess is the built examples/server binary, run as a black box.
type serverProcess struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer

	mu       sync.Mutex
	lines    []map[string]any // stdout, one JSON object per line
	badLines []string         // stdout lines that are not JSON objects
	changed  chan struct{}
	ended    chan struct{} // the process has exited
	exited   chan struct{} // the process has exited and its stdout is read to the end
	exitErr  error

	stall chan struct{} // under mu: not nil while stdout is stalled (see stallStdout)
}

// buildServer compiles the server once per test run.
var buildServer = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "grpcobs-e2e-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "server")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return bin, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

// startServer runs the server with args and extra environment, and stops it when the test
// ends if the test did not.
func startServer(t *testing.T, env []string, args ...string) *serverProcess {
	t.Helper()
	bin, err := buildServer()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	// A pipe of our own, not cmd.StdoutPipe: Wait then returns when the process exits,
	// whether or not its stdout has been read to the end.
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serverProcess{
		cmd: cmd, stderr: &lockedBuffer{},
		changed: make(chan struct{}), ended: make(chan struct{}), exited: make(chan struct{}),
	}
	cmd.Stdout = stdoutW
	cmd.Stderr = p.stderr
	err = cmd.Start()
	_ = stdoutW.Close() // the process holds its own copy: reads end at its exit
	if err != nil {
		_ = stdout.Close()
		t.Fatalf("start server: %v", err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer func() { _ = stdout.Close() }()
		p.readLines(stdout)
	}()
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.exitErr = err
		p.mu.Unlock()
		close(p.ended)
		<-read
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("server stderr:\n%s", p.stderr.String())
		}
	})
	return p
}

func (p *serverProcess) readLines(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		var obj map[string]any
		p.mu.Lock()
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			p.badLines = append(p.badLines, line)
		} else {
			p.lines = append(p.lines, obj)
		}
		close(p.changed)
		p.changed = make(chan struct{})
		stall := p.stall
		p.mu.Unlock()
		if stall != nil {
			<-stall // reads no more until the stall ends
		}
	}
}

// stallStdout stops reading the server's stdout, like a log shipper that stalled: once the
// pipe is full, the server's writes to stdout block. The test's cleanup reads again.
func (p *serverProcess) stallStdout(t *testing.T) {
	stall := make(chan struct{})
	p.mu.Lock()
	p.stall = stall
	p.mu.Unlock()
	t.Cleanup(func() {
		p.mu.Lock()
		p.stall = nil
		p.mu.Unlock()
		close(stall)
	})
}

// waitEnded waits for the process to exit, whether or not its stdout was read to the end,
// and returns the exit code.
func (p *serverProcess) waitEnded(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.ended:
	case <-time.After(within):
		t.Fatalf("server did not exit within %v", within)
	}
	return p.cmd.ProcessState.ExitCode()
}

// waitLine waits for a stdout line that match accepts, and returns it.
func (p *serverProcess) waitLine(t *testing.T, what string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	line, _ := p.waitLineFrom(t, what, 0, match)
	return line
}

// waitLineFrom waits for a stdout line, from the from-th on (0 is the first), that match
// accepts, and returns it and its index.
func (p *serverProcess) waitLineFrom(t *testing.T, what string, from int, match func(map[string]any) bool) (map[string]any, int) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	seen := from
	for {
		p.mu.Lock()
		for ; seen < len(p.lines); seen++ {
			if match(p.lines[seen]) {
				line := p.lines[seen]
				p.mu.Unlock()
				return line, seen
			}
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-p.exited:
			t.Fatalf("server exited (%v) before logging %s", p.exitErr, what)
		case <-deadline:
			t.Fatalf("server did not log %s within 20s; stdout so far: %v", what, p.snapshot())
		}
	}
}

func (p *serverProcess) snapshot() []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]any(nil), p.lines...)
}

func (p *serverProcess) nonJSONLines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.badLines...)
}

// terminate sends SIGTERM and waits for the exit, returning the exit code.
func (p *serverProcess) terminate(t *testing.T, within time.Duration) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	return p.waitExit(t, within)
}

func (p *serverProcess) waitExit(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(within):
		t.Fatalf("server did not exit within %v", within)
	}
	return p.cmd.ProcessState.ExitCode()
}

// signalAndAwaitDraining sends sig and waits for the server's own line saying that every
// health service is NOT_SERVING and the drain has begun, and returns it. The
// server logs it after the health server's Shutdown returned, so from then until the drain
// ends, a probe must find every service NOT_SERVING.
func (p *serverProcess) signalAndAwaitDraining(t *testing.T, sig os.Signal) map[string]any {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("%v: %v", sig, err)
	}
	return p.waitLine(t, "its draining line", func(l map[string]any) bool {
		return l["msg"] == "draining: every health service is NOT_SERVING"
	})
}

// TestServerDrainsOnSIGTERM: on SIGTERM, every health service turns NOT_SERVING at once, for
// gRPC probes and the HTTP reports alike, and stays so through the drain; the health lines
// say so; then the server stops and exits 0, not before the drain is over. The probes run
// once the server said it is draining, inside a drain far longer than they take, so the
// server cannot be gone before they ask.
func TestServerDrainsOnSIGTERM(t *testing.T) {
	probeBin := healthProbe(t)
	depAddr, _ := dependency(t)
	const drain = 10 * time.Second
	srv := startServer(t, []string{"OTEL_TRACES_EXPORTER=none"},
		"-grpc-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0",
		"-dependency-addr", depAddr, "-check-interval", "100ms", "-drain", drain.String())
	serving := srv.waitLine(t, "its serving line", func(l map[string]any) bool { return l["msg"] == "serving" })
	grpcAddr, httpAddr, adminAddr := stringField(serving, "grpc.addr"), stringField(serving, "http.addr"), stringField(serving, "admin.addr")
	services := []string{"", "liveness", "readiness", "grpcobs.demo.v1.DemoService"}
	awaitProbe(t, probeBin, grpcAddr, "readiness", 0, 10*time.Second)
	for _, service := range services {
		if got := probe(t, probeBin, grpcAddr, service); got != 0 {
			t.Fatalf("before SIGTERM: grpc_health_probe -service=%q exits %d, want 0", service, got)
		}
	}

	signalled := time.Now()
	draining := srv.signalAndAwaitDraining(t, syscall.SIGTERM)
	if got := stringField(draining, "drain"); got != drain.String() {
		t.Errorf("draining line drain = %q, want %q", got, drain)
	}
	for _, service := range services {
		if got := probe(t, probeBin, grpcAddr, service); got != 4 {
			t.Errorf("while draining: grpc_health_probe -service=%q exits %d, want 4 (NOT_SERVING)", service, got)
		}
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := httpGet(t, "http://"+httpAddr+path, ""); code != http.StatusServiceUnavailable || body != "{\n  \"status\": \"NOT_SERVING\"\n}\n" {
			t.Errorf("while draining: %s = %d %q, want 503 with the status NOT_SERVING alone", path, code, body)
		}
		if code, body := httpGet(t, "http://"+adminAddr+path, ""); code != http.StatusServiceUnavailable || !strings.Contains(body, `"shutdown": true`) {
			t.Errorf("while draining: admin %s = %d %q, want 503 with a report saying shutdown", path, code, body)
		}
	}
	if _, ok := srv.exitCode(); ok {
		t.Fatalf("the server exited during its %v drain; the probes above prove nothing", drain)
	}

	// The health log says the same: the shutdown, then every service NOT_SERVING.
	_, shutdownAt := srv.waitLineFrom(t, "the health shutdown line", 0, func(l map[string]any) bool {
		return strings.HasPrefix(stringField(l, "msg"), "health shut down")
	})
	for _, service := range services {
		srv.waitLineFrom(t, "the NOT_SERVING line of "+strconv.Quote(service), shutdownAt, func(l map[string]any) bool {
			_, named := l["health.service"]
			return named && l["msg"] == "health service status changed" &&
				stringField(l, "health.service") == service && l["health.status"] == "NOT_SERVING"
		})
	}

	if code := srv.waitExit(t, drain+15*time.Second); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
	if took := time.Since(signalled); took < drain {
		t.Errorf("the server exited %v after SIGTERM, before its %v drain was over", took, drain)
	}
	srv.waitLine(t, "its stopped line", func(l map[string]any) bool { return l["msg"] == "stopped" })
	if bad := srv.nonJSONLines(); len(bad) > 0 {
		t.Errorf("stdout carried %d lines that are not JSON, first: %q", len(bad), bad[0])
	}
}

// exitCode returns the exit code, and false while the server runs.
func (p *serverProcess) exitCode() (int, bool) {
	select {
	case <-p.ended:
		return p.cmd.ProcessState.ExitCode(), true
	default:
		return 0, false
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func stringField(line map[string]any, key string) string {
	s, _ := line[key].(string)
	return s
}

func withTimeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestServerExitsWithinItsDrainWhenStdoutIsStalled: a log shipper that stops reading stdout
// fills the pipe, and from then on every write to stdout blocks. The server must still
// answer calls and probes, and on SIGTERM drain, stop and exit 0 within its bounds.
func TestServerExitsWithinItsDrainWhenStdoutIsStalled(t *testing.T) {
	probeBin := healthProbe(t)
	srv := startServer(t, []string{"OTEL_TRACES_EXPORTER=none"},
		"-grpc-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0", "-admin-addr", "", "-drain", "100ms")
	serving := srv.waitLine(t, "its serving line", func(l map[string]any) bool { return l["msg"] == "serving" })
	grpcAddr := stringField(serving, "grpc.addr")
	srv.stallStdout(t)

	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	client := demov1.NewDemoServiceClient(conn)
	const calls = 2000 // a line each, about 300 bytes: far more than the pipe and our reader hold
	for i := range calls {
		if _, err := client.Echo(withTimeout(t, 10*time.Second), &demov1.EchoRequest{Message: "e2e"}); err != nil {
			t.Fatalf("call %d with stdout stalled: %v", i, err)
		}
	}
	if read := len(srv.snapshot()); read >= calls {
		t.Fatalf("%d stdout lines were read: stdout was not stalled, the test proves nothing", read)
	}
	if got := probe(t, probeBin, grpcAddr, "liveness"); got != 0 {
		t.Errorf("liveness probe with stdout stalled exits %d, want 0", got)
	}

	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The bound: the 100ms drain, a graceful stop with no call open, the health registry's
	// Stop (at most 1s for its log lines), and the server's own bounded log flush.
	if code := srv.waitEnded(t, 15*time.Second); code != 0 {
		t.Errorf("exit code after SIGTERM with stdout stalled = %d, want 0", code)
	}
}

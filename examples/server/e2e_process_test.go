package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serverProcess is the built examples/server binary, run as a black box.
type serverProcess struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer

	mu       sync.Mutex
	lines    []map[string]any // stdout, one JSON object per line
	badLines []string         // stdout lines that are not JSON objects
	changed  chan struct{}
	exited   chan struct{}
	exitErr  error
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
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serverProcess{cmd: cmd, stderr: &lockedBuffer{}, changed: make(chan struct{}), exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start server: %v", err)
	}
	var read sync.WaitGroup
	read.Add(1)
	go func() {
		defer read.Done()
		p.readLines(stdout)
	}()
	go func() {
		read.Wait()
		err := cmd.Wait()
		p.mu.Lock()
		p.exitErr = err
		p.mu.Unlock()
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
		p.mu.Unlock()
	}
}

// waitLine waits for a stdout line that match accepts, and returns it.
func (p *serverProcess) waitLine(t *testing.T, what string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.After(20 * time.Second)
	seen := 0
	for {
		p.mu.Lock()
		for ; seen < len(p.lines); seen++ {
			if match(p.lines[seen]) {
				line := p.lines[seen]
				p.mu.Unlock()
				return line
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

package prometheus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// prometheusBinary is the real Prometheus that `make` builds into .bin (GRPCOBS_PROMETHEUS).
// Without it the test skips, unless GRPCOBS_REQUIRE_TOOLS=1 (as under make) makes it fail.
func prometheusBinary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("GRPCOBS_PROMETHEUS")
	if path == "" {
		if os.Getenv("GRPCOBS_REQUIRE_TOOLS") == "1" {
			t.Fatal("GRPCOBS_PROMETHEUS is not set but GRPCOBS_REQUIRE_TOOLS=1: run through make (make prometheus builds it)")
		}
		t.Skip("GRPCOBS_PROMETHEUS not set; run through make, which builds the pinned Prometheus into .bin")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("GRPCOBS_PROMETHEUS=%s: %v (make prometheus builds it)", path, err)
	}
	return path
}

// promServer is a running Prometheus process and a client of its HTTP API.
type promServer struct {
	base string
	http *http.Client
}

// lockedBuffer collects a process' output for failure messages.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
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

// startPrometheus runs bin with config, its storage in a temporary directory and its web
// API on a free loopback port, waits until it is ready, and stops it when the test ends.
func startPrometheus(t *testing.T, bin, config string) *promServer {
	t.Helper()
	dir := t.TempDir()
	configPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeLoopbackAddr(t)
	var logs lockedBuffer
	cmd := exec.Command(bin,
		"--config.file="+configPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("prometheus output:\n%s", logs.String())
		}
	})

	p := &promServer{base: "http://" + addr, http: &http.Client{Timeout: 5 * time.Second}}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("prometheus exited before it was ready (%v):\n%s", err, logs.String())
		default:
		}
		resp, err := p.http.Get(p.base + "/-/ready")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 60s (last error %v):\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freeLoopbackAddr is a loopback address with a port that was free a moment ago.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// sample is one series of an instant query's result.
type sample struct {
	Metric map[string]string
	Value  float64
}

// query runs an instant PromQL query.
func (p *promServer) query(ctx context.Context, q string) ([]sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/api/v1/query?"+url.Values{"query": {q}}.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("query %q: decode: %w", q, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", q, body.Error)
	}
	if body.Data.ResultType != "vector" {
		return nil, fmt.Errorf("query %q: result type %q, want vector", q, body.Data.ResultType)
	}
	out := make([]sample, 0, len(body.Data.Result))
	for _, r := range body.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("query %q: value %v: %w", q, r.Value[1], err)
		}
		out = append(out, sample{Metric: r.Metric, Value: v})
	}
	return out, nil
}

// waitFor queries q until ok accepts its result, and fails the test with the last result
// after timeout.
func (p *promServer) waitFor(t *testing.T, what, q string, timeout time.Duration, ok func([]sample) bool) []sample {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got, err := p.query(t.Context(), q)
		if err == nil && ok(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v; last result of %s: %v (error %v)", what, timeout, q, got, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

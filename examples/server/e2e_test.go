package main_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	knownTraceID  = "4bf92f3577b34da6a3ce929d0e0e4736"
	knownParentID = "00f067aa0ba902b7"
	echoSpanName  = "grpcobs.demo.v1.DemoService/Echo"
)

// healthProbe finds grpc_health_probe; make test builds it into .bin and requires it.
func healthProbe(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("grpc_health_probe")
	if err != nil {
		if os.Getenv("GRPCOBS_REQUIRE_TOOLS") == "1" {
			t.Fatalf("grpc_health_probe is required (make tools builds it): %v", err)
		}
		t.Skip("grpc_health_probe not on PATH; run through make test")
	}
	return path
}

// probe runs grpc_health_probe and returns its exit code.
func probe(t *testing.T, bin, addr, service string) int {
	t.Helper()
	cmd := exec.Command(bin, "-addr="+addr, "-service="+service, "-connect-timeout=2s", "-rpc-timeout=2s")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	default:
		t.Fatalf("grpc_health_probe: %v\n%s", err, out)
		return -1
	}
}

// awaitProbe polls until the probe gives want, or fails the test after within.
func awaitProbe(t *testing.T, bin, addr, service string, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := probe(t, bin, addr, service)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("grpc_health_probe -service=%q exits %d, want %d within %v", service, got, want, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// dependency is a TCP service the server's checker dials; closing it makes the check fail.
func dependency(t *testing.T) (addr string, kill func()) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := lis.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
	kill = func() {
		_ = lis.Close()
		<-done
	}
	t.Cleanup(kill)
	return lis.Addr().String(), kill
}

func TestServerEndToEnd(t *testing.T) {
	probeBin := healthProbe(t)
	receiver := startOTLPReceiver(t)
	depAddr, killDependency := dependency(t)
	srv := startServer(t,
		[]string{
			"OTEL_TRACES_EXPORTER=otlp",
			"OTEL_EXPORTER_OTLP_PROTOCOL=grpc",
			"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + receiver.addr,
			"OTEL_BSP_SCHEDULE_DELAY=100",
		},
		"-grpc-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0",
		"-dependency-addr", depAddr, "-check-interval", "100ms", "-drain", "2s")
	serving := srv.waitLine(t, "its serving line", func(l map[string]any) bool { return l["msg"] == "serving" })
	grpcAddr, httpAddr, adminAddr := stringField(serving, "grpc.addr"), stringField(serving, "http.addr"), stringField(serving, "admin.addr")
	if grpcAddr == "" || httpAddr == "" || adminAddr == "" {
		t.Fatalf("serving line lacks grpc.addr, http.addr or admin.addr: %v", serving)
	}

	// Health: every service serves once the dependency answered; an unknown one is NotFound.
	awaitProbe(t, probeBin, grpcAddr, "readiness", 0, 10*time.Second)
	for _, service := range []string{"", "liveness", "grpcobs.demo.v1.DemoService"} {
		if got := probe(t, probeBin, grpcAddr, service); got != 0 {
			t.Errorf("grpc_health_probe -service=%q exits %d, want 0", service, got)
		}
	}
	if got := probe(t, probeBin, grpcAddr, "no.such.Service"); got != 3 {
		t.Errorf("grpc_health_probe for an unknown service exits %d, want 3 (RPC failure: NotFound)", got)
	}
	// HTTP: the status alone on -http-addr, the report with the checks on -admin-addr.
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := httpGet(t, "http://"+httpAddr+path, ""); code != http.StatusOK || body != "{\n  \"status\": \"SERVING\"\n}\n" {
			t.Errorf("%s = %d %q, want 200 with the status SERVING alone", path, code, body)
		}
		if code, body := httpGet(t, "http://"+adminAddr+path, ""); code != http.StatusOK || !strings.Contains(body, `"name": "dependency"`) {
			t.Errorf("admin %s = %d %q, want 200 with the report of the dependency check", path, code, body)
		}
	}
	if code, _ := httpGet(t, "http://"+httpAddr+"/debug/grpcobs", ""); code != http.StatusNotFound {
		t.Errorf("/debug/grpcobs on -http-addr = %d, want 404: the status page is on the admin listener only", code)
	}

	// A traced call with a known parent and baggage.
	callEcho(t, grpcAddr)

	callLine := srv.waitLine(t, "the Echo call line", func(l map[string]any) bool {
		_, finished := l["grpc.code"]
		return finished && l["grpc.method"] == "Echo" && l["grpc.component"] == "server"
	})
	if got := stringField(callLine, "trace_id"); got != knownTraceID {
		t.Errorf("call log line trace_id = %q, want %q (line %v)", got, knownTraceID, callLine)
	}
	if got := stringField(callLine, "baggage.user"); got != "alice" {
		t.Errorf("call log line baggage.user = %q, want alice (line %v)", got, callLine)
	}
	handlerLine := srv.waitLine(t, "the handler's own line", func(l map[string]any) bool {
		return l["msg"] == "handling request" && l["grpc.method"] == "Echo"
	})
	if got := stringField(handlerLine, "trace_id"); got != knownTraceID {
		t.Errorf("handler line trace_id = %q, want %q", got, knownTraceID)
	}
	if stringField(handlerLine, "span_id") == "" {
		t.Errorf("handler line lacks span_id: %v", handlerLine)
	}

	_, metricsBody := httpGet(t, "http://"+httpAddr+"/metrics", "application/openmetrics-text; version=1.0.0")
	exemplar := regexp.MustCompile(`grpc_server_handling_seconds_bucket\{[^}]*grpc_method="Echo"[^}]*\} \d+ # \{trace_id="` + knownTraceID + `"\}`)
	if !exemplar.MatchString(metricsBody) {
		t.Errorf("/metrics has no Echo histogram exemplar with trace_id %s:\n%s", knownTraceID, grepLines(metricsBody, "Echo"))
	}

	// The probes' health checks are the server's own methods: counted under their own names,
	// not as "other".
	if !strings.Contains(metricsBody, `grpc_server_handled_total{grpc_code="OK",grpc_method="Check",grpc_service="grpc.health.v1.Health",grpc_type="unary"}`) {
		t.Errorf("/metrics does not count the health checks under grpc.health.v1.Health:\n%s", grepLines(metricsBody, "grpc_server_handled_total"))
	}
	if strings.Contains(metricsBody, `grpc_service="other"`) {
		t.Errorf("/metrics counts some of the server's own calls as other:\n%s", grepLines(metricsBody, `"other"`))
	}

	// The status page, at the URL of the serving line, on the admin listener, has a row for Echo.
	pageURL := stringField(serving, "statuspage.url")
	if want := "http://" + adminAddr + "/debug/grpcobs"; pageURL != want {
		t.Errorf("serving line statuspage.url = %q, want %q", pageURL, want)
	}
	code, body := httpGet(t, pageURL+"?format=json", "")
	var page struct {
		Server struct {
			Methods []struct {
				Method string `json:"method"`
				Calls  int    `json:"calls"`
			} `json:"methods"`
		} `json:"server"`
	}
	if err := json.Unmarshal([]byte(body), &page); code != http.StatusOK || err != nil {
		t.Errorf("status page %s = %d (%v), want 200 with its JSON:\n%s", pageURL, code, err, body)
	}
	echoCalls := 0
	for _, m := range page.Server.Methods {
		if m.Method == "Echo" {
			echoCalls = m.Calls
		}
	}
	if echoCalls != 1 {
		t.Errorf("status page shows %d Echo calls, want 1", echoCalls)
	}

	span := receiver.waitSpan(t, knownTraceID, echoSpanName, 10*time.Second)
	if got := hex.EncodeToString(span.GetParentSpanId()); got != knownParentID {
		t.Errorf("server span parent = %s, want the caller's %s", got, knownParentID)
	}
	receiver.waitSpan(t, knownTraceID, "db.query", 10*time.Second)

	// The dependency dies: readiness and "" turn NOT_SERVING, liveness does not.
	killDependency()
	awaitProbe(t, probeBin, grpcAddr, "readiness", 4, 10*time.Second)
	if got := probe(t, probeBin, grpcAddr, ""); got != 4 {
		t.Errorf("overall status after the dependency died: probe exits %d, want 4", got)
	}
	if got := probe(t, probeBin, grpcAddr, "liveness"); got != 0 {
		t.Errorf("liveness after the dependency died: probe exits %d, want 0", got)
	}
	if code, body := httpGet(t, "http://"+httpAddr+"/readyz", ""); code != http.StatusServiceUnavailable || strings.Contains(body, depAddr) {
		t.Errorf("/readyz after the dependency died = %d %q, want 503 without the check's error", code, body)
	}
	if code, body := httpGet(t, "http://"+adminAddr+"/readyz", ""); code != http.StatusServiceUnavailable || !strings.Contains(body, depAddr) {
		t.Errorf("admin /readyz after the dependency died = %d %q, want 503 with the check's error, which names %s", code, body, depAddr)
	}

	// SIGINT: the server drains, then exits 0. What it answers while draining is
	// TestServerDrainsOnSIGTERM's to prove, inside a drain long enough to probe.
	srv.signalAndAwaitDraining(t, os.Interrupt)
	if code := srv.waitExit(t, 15*time.Second); code != 0 {
		t.Errorf("exit code after SIGINT = %d, want 0", code)
	}
	if bad := srv.nonJSONLines(); len(bad) > 0 {
		t.Errorf("stdout carried %d lines that are not JSON, first: %q", len(bad), bad[0])
	}
}

func TestServerExitsZeroOnSIGTERM(t *testing.T) {
	srv := startServer(t, []string{"OTEL_TRACES_EXPORTER=none"},
		"-grpc-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0", "-admin-addr", "", "-drain", "100ms")
	serving := srv.waitLine(t, "its serving line", func(l map[string]any) bool { return l["msg"] == "serving" })
	// -admin-addr "": no admin listener, and no status page anywhere.
	for _, field := range []string{"admin.addr", "statuspage.url"} {
		if _, ok := serving[field]; ok {
			t.Errorf("serving line has %s with the admin listener off: %v", field, serving)
		}
	}
	if code, _ := httpGet(t, "http://"+stringField(serving, "http.addr")+"/debug/grpcobs", ""); code != http.StatusNotFound {
		t.Errorf("/debug/grpcobs with the admin listener off = %d, want 404", code)
	}
	if code := srv.terminate(t, 10*time.Second); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
	srv.waitLine(t, "its stopped line", func(l map[string]any) bool { return l["msg"] == "stopped" })
}

// -log-backend slog with -log-format text: log/slog's TextHandler writes every line, the
// server's own among them.
func TestServerLogsSlogText(t *testing.T) {
	srv := startServer(t, []string{"OTEL_TRACES_EXPORTER=none"},
		"-grpc-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0", "-admin-addr", "", "-drain", "100ms",
		"-log-backend", "slog", "-log-format", "text")
	// SIGTERM once the server says it serves: its signal handler is installed by then.
	for deadline := time.After(20 * time.Second); ; {
		srv.mu.Lock()
		changed, text := srv.changed, strings.Join(srv.badLines, "\n")
		srv.mu.Unlock()
		if strings.Contains(text, "msg=serving") {
			break
		}
		select {
		case <-changed:
		case <-srv.exited:
			t.Fatalf("server exited before its serving line: %v", srv.nonJSONLines())
		case <-deadline:
			t.Fatalf("no serving line within 20s: %v", srv.nonJSONLines())
		}
	}
	if code := srv.terminate(t, 10*time.Second); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
	text := strings.Join(srv.nonJSONLines(), "\n")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^time=\S+ level=INFO msg=serving grpc.addr=127.0.0.1:\d+ .*log.backend=slog`),
		regexp.MustCompile(`(?m)^time=\S+ level=INFO msg=stopped$`),
	} {
		if !want.MatchString(text) {
			t.Errorf("stdout has no line matching %s:\n%s", want, text)
		}
	}
	if n := len(srv.snapshot()); n > 0 {
		t.Errorf("%d JSON lines on stdout with -log-format text", n)
	}
}

func TestServerRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-log-format", "xml"},
		{"-log-level", "loud"},
		{"-log-backend", "zap"},
		{"-drain", "-1s"},
		{"-check-interval", "0s"},
		{"-no-such-flag"},
		{"unexpected-argument"},
	} {
		srv := startServer(t, []string{"OTEL_TRACES_EXPORTER=none"}, args...)
		if code := srv.waitExit(t, 10*time.Second); code != 2 {
			t.Errorf("%v: exit code %d, want 2", args, code)
		}
		if msg := srv.stderr.String(); !strings.Contains(msg, strings.TrimLeft(args[0], "-")) {
			t.Errorf("%v: stderr does not name the problem: %q", args, msg)
		}
	}
}

func callEcho(t *testing.T, addr string) {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	ctx := metadata.AppendToOutgoingContext(withTimeout(t, 5*time.Second),
		"traceparent", "00-"+knownTraceID+"-"+knownParentID+"-01",
		"baggage", "user=alice")
	if _, err := demov1.NewDemoServiceClient(conn).Echo(ctx, &demov1.EchoRequest{Message: "e2e"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
}

func httpGet(t *testing.T, url, accept string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(withTimeout(t, 5*time.Second), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	http.DefaultClient.CloseIdleConnections()
	return resp.StatusCode, string(body)
}

func grepLines(body, substr string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

package main

import (
	"bytes"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/internal/testsrv"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestClientCallsEveryKindAndPrintsTraceIDs(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	h := testsrv.Start(t, testsrv.WithTCP())
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-addr", h.Addr, "-n", "2", "-baggage", "user=alice"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	callLine := regexp.MustCompile(`(?m)^(Echo|ServerStream|ClientStream|Chat|Echo-retried)\s+(OK|NotFound)\s+([0-9a-f]{32})$`)
	calls := callLine.FindAllStringSubmatch(stdout.String(), -1)
	if len(calls) != 10 {
		t.Fatalf("printed %d call lines, want 2x4 calls plus the failing one and the retried one:\n%s", len(calls), stdout.String())
	}
	seen := map[string]bool{}
	for _, c := range calls {
		if seen[c[3]] {
			t.Errorf("trace id %s printed twice: every call is its own trace", c[3])
		}
		seen[c[3]] = true
	}
	if failing := calls[8]; failing[1] != "Echo" || failing[2] != "NotFound" {
		t.Errorf("ninth call = %v, want the failing Echo with NotFound", failing[:3])
	}
	if retried := calls[9]; retried[1] != "Echo-retried" || retried[2] != "OK" {
		t.Errorf("last call = %v, want the retried Echo, OK on its second attempt", retried[:3])
	}
	for _, want := range []string{
		"grpc_client_handled_total  grpcobs.demo.v1.DemoService/Echo              OK           3",
		"grpc_client_handled_total  grpcobs.demo.v1.DemoService/Echo              NotFound     1",
		"grpc_client_handled_total  grpcobs.demo.v1.DemoService/Chat              OK           2",
		// The retried Echo's first attempt; every other attempt ended as its call did.
		"grpc_client_attempts_total grpcobs.demo.v1.DemoService/Echo              Unavailable  1",
		"grpc_client_attempts_total grpcobs.demo.v1.DemoService/Echo              OK           3",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("metrics summary lacks %q:\n%s", want, stdout.String())
		}
	}
	// Call logs go to stderr, with the client span's trace id; the retried call's counts its
	// attempts and names the failed one's code.
	if !strings.Contains(stderr.String(), `"trace_id":"`+calls[0][3]+`"`) {
		t.Errorf("stderr has no call log with the first call's trace id %s", calls[0][3])
	}
	retriedLine := regexp.MustCompile(`"grpc.attempt_codes":\["Unavailable"\],"grpc.attempts":2,.*"trace_id":"` + calls[9][3] + `"`)
	if !retriedLine.MatchString(stderr.String()) {
		t.Errorf("stderr has no line for the retried call with its two attempts:\n%s", stderr.String())
	}
}

// With -log-backend=slog the call logs are log/slog's JSON lines on stderr, with each call's
// trace id, and stdout is unchanged.
func TestClientLogsThroughSlog(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	h := testsrv.Start(t, testsrv.WithTCP())
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-addr", h.Addr, "-log-backend", "slog"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	echo := regexp.MustCompile(`(?m)^Echo\s+OK\s+([0-9a-f]{32})$`).FindStringSubmatch(stdout.String())
	if echo == nil {
		t.Fatalf("no Echo OK line on stdout:\n%s", stdout.String())
	}
	// slog's JSONHandler writes time, level (upper case), msg, then the call's fields in order.
	line := regexp.MustCompile(`(?m)^\{"time":"[^"]+","level":"INFO","msg":"finished call","grpc.component":"client",.*"grpc.method":"Echo",.*"trace_id":"` + echo[1] + `".*\}$`)
	if !line.MatchString(stderr.String()) {
		t.Errorf("stderr has no slog line for the Echo with its trace id %s:\n%s", echo[1], stderr.String())
	}
}

func TestClientFailsClearlyOnADeadServer(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close() // nothing listens there now
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-addr", addr}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "cannot reach the server at "+addr) {
		t.Errorf("stderr does not say the server is unreachable:\n%s", stderr.String())
	}
}

func TestClientRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-n", "0"},
		{"-log-backend", "zap"},
		{"-baggage", "no equals sign"},
		{"-timeout", "0s"},
		{"-loop", "-rate", "0"},
		{"-loop", "-duration", "-1s"},
		{"-bogus"},
		{"extra"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit code %d, want 2", args, code)
		}
		if !strings.Contains(stderr.String(), "client:") {
			t.Errorf("%v: no clear message on stderr: %q", args, stderr.String())
		}
	}
}

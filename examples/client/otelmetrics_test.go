package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/internal/testsrv"
)

// With OTEL_METRICS_EXPORTER=console the client's OpenTelemetry metrics are printed on stderr
// when it exits, one point per method and code, and stdout keeps only the call lines and the
// summary.
func TestConsoleMetricsGoToStderr(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	t.Setenv("OTEL_METRICS_EXPORTER", "console")
	h := testsrv.Start(t, testsrv.WithTCP())
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-addr", h.Addr}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{
		`"Name": "rpc.client.call.duration"`,
		`"Value": "grpcobs.demo.v1.DemoService/Chat"`,
		`"Value": "NOT_FOUND"`,
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %s:\n%s", want, stderr.String())
		}
	}
	if strings.Contains(stdout.String(), "rpc.client.call.duration") {
		t.Errorf("OpenTelemetry metrics on stdout:\n%s", stdout.String())
	}
}

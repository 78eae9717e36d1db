package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/internal/testsrv"
)

// With -loop the client repeats its calls, plus one failing with a server error, until
// -duration has passed, then prints its summary and exits 0.
func TestClientLoopRepeatsTheMixUntilTheDuration(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	h := testsrv.Start(t, testsrv.WithTCP())
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-addr", h.Addr, "-loop", "-rate", "200", "-duration", "3s"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	callLine := regexp.MustCompile(`(?m)^(\S+)\s+(\S+)\s+[0-9a-f]{32}$`)
	calls := callLine.FindAllStringSubmatch(stdout.String(), -1)
	round := []string{"Echo OK", "ServerStream OK", "ClientStream OK", "Chat OK", "Echo NotFound", "Echo-retried OK", "Echo-unavailable Unavailable"}
	if len(calls) <= len(round) {
		t.Fatalf("made %d calls in 3s, want more than one round of %d:\n%s", len(calls), len(round), stdout.String())
	}
	// Every call but the last, which the end may cut short, ends as planned, round after round.
	for i, c := range calls[:len(calls)-1] {
		if got, want := c[1]+" "+c[2], round[i%len(round)]; got != want {
			t.Errorf("call %d = %q, want %q", i, got, want)
		}
	}
	for _, want := range []string{
		"grpc_client_handled_total  grpcobs.demo.v1.DemoService/Echo              Unavailable",
		"grpc_client_attempts_total grpcobs.demo.v1.DemoService/Echo              Unavailable",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("metrics summary lacks %q:\n%s", want, stdout.String())
		}
	}
	// The server refused each of the outage call's three attempts.
	if !strings.Contains(stderr.String(), `"grpc.attempt_codes":["Unavailable","Unavailable","Unavailable"],"grpc.attempts":3`) {
		t.Errorf("stderr has no log line of the outage call with its three attempts:\n%s", stderr.String())
	}
}

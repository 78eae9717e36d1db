package attempts_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	echoCall    = "internal grpcobs.demo.v1.DemoService/Echo"
	echoAttempt = "  client Attempt.grpcobs.demo.v1.DemoService.Echo"
	echoServer  = "    server grpcobs.demo.v1.DemoService/Echo"
)

// attempts is one series of grpc_client_attempts_total of a DemoService method: its
// grpc_type, grpc_method and grpc_code, and its count.
type attempts struct {
	typ, method, code string
	n                 int
}

// expectAttempts asserts grpc_client_attempts_total is exactly want.
func (w *world) expectAttempts(t *testing.T, want ...attempts) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# HELP grpc_client_attempts_total Total number of attempts of RPCs made by the client, retries included, by the code each attempt ended with.\n")
	b.WriteString("# TYPE grpc_client_attempts_total counter\n")
	for _, a := range want {
		fmt.Fprintf(&b, "grpc_client_attempts_total{grpc_code=%q,grpc_method=%q,grpc_service=\"grpcobs.demo.v1.DemoService\",grpc_type=%q} %d\n", a.code, a.method, a.typ, a.n)
	}
	if err := testutil.CollectAndCompare(w.clientMetrics, strings.NewReader(b.String()), "grpc_client_attempts_total"); err != nil {
		t.Error(err)
	}
}

func (w *world) expectTree(t *testing.T, want []string) {
	t.Helper()
	if diff := cmp.Diff(want, w.spanTree(t, len(want))); diff != "" {
		t.Errorf("span tree (-want +got):\n%s", diff)
	}
}

// expectLines asserts the client's finished-call lines are want, in order.
func (w *world) expectLines(t *testing.T, want []logrus.Fields) {
	t.Helper()
	if diff := cmp.Diff(want, w.finishedLines()); diff != "" {
		t.Errorf("finished-call lines (-want +got):\n%s", diff)
	}
}

// expectLine asserts the client logged one finished-call line, of Echo unless want names
// another method, with want's fields.
func (w *world) expectLine(t *testing.T, want logrus.Fields) {
	t.Helper()
	if _, ok := want[logging.FieldMethod]; !ok {
		want[logging.FieldMethod] = "Echo"
	}
	w.expectLines(t, []logrus.Fields{want})
}

func (w *world) echo(t *testing.T) error {
	_, err := w.h.Demo().Echo(testContext(t), &demov1.EchoRequest{Message: "retried"})
	return err
}

func TestFirstAttemptUnavailableThenOK(t *testing.T) {
	w := startWorld(t, retryPolicy(3, "0.01s", 1, ""), codes.Unavailable)
	if err := w.echo(t); err != nil {
		t.Fatalf("Echo = %v, want OK after one retry", err)
	}
	w.expectTree(t, []string{
		echoCall + " OK",
		echoAttempt + " UNAVAILABLE previous-rpc-attempts=0 transparent-retry=false",
		echoServer + " UNAVAILABLE",
		echoAttempt + " OK previous-rpc-attempts=1 transparent-retry=false",
		echoServer + " OK",
	})
	w.expectAttempts(t, attempts{"unary", "Echo", "OK", 1}, attempts{"unary", "Echo", "Unavailable", 1})
	// An attempt whose code the status policy calls an error has an Error status, with the
	// status message, and error.type, as the call span would; the others have neither.
	var got []string
	for _, span := range w.obs.Spans.Ended() {
		if span.SpanKind() != trace.SpanKindClient || !strings.HasPrefix(span.Name(), "Attempt.") {
			continue
		}
		errorType := ""
		for _, kv := range span.Attributes() {
			if kv.Key == "error.type" {
				errorType = kv.Value.AsString()
			}
		}
		got = append(got, fmt.Sprintf("%s %q error.type=%q", span.Status().Code, span.Status().Description, errorType))
	}
	slices.Sort(got)
	if diff := cmp.Diff([]string{`Error "attempt 1 refused" error.type="UNAVAILABLE"`, `Unset "" error.type=""`}, got); diff != "" {
		t.Errorf("attempt span statuses (-want +got):\n%s", diff)
	}
	// The call itself is handled once, with its final code.
	const handled = `
# HELP grpc_client_handled_total Total number of RPCs completed by the client, regardless of success or failure.
# TYPE grpc_client_handled_total counter
grpc_client_handled_total{grpc_code="OK",grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 1
`
	if err := testutil.CollectAndCompare(w.clientMetrics, strings.NewReader(handled), "grpc_client_handled_total"); err != nil {
		t.Error(err)
	}
	w.expectLine(t, logrus.Fields{
		logging.FieldCode: "OK", logging.FieldAttempts: 2, logging.FieldAttemptCodes: []string{"Unavailable"},
	})
}

// A call never retried has exactly one attempt span, and its line no attempt fields.
func TestCallNeverRetriedHasOneAttempt(t *testing.T) {
	w := startWorld(t, retryPolicy(3, "0.01s", 1, ""))
	if err := w.echo(t); err != nil {
		t.Fatalf("Echo = %v, want OK", err)
	}
	w.expectTree(t, []string{
		echoCall + " OK",
		echoAttempt + " OK previous-rpc-attempts=0 transparent-retry=false",
		echoServer + " OK",
	})
	w.expectAttempts(t, attempts{"unary", "Echo", "OK", 1})
	w.expectLine(t, logrus.Fields{logging.FieldCode: "OK"})
}

func TestEveryAttemptFailing(t *testing.T) {
	w := startWorld(t, retryPolicy(3, "0.01s", 1, ""), codes.Unavailable, codes.Unavailable, codes.Unavailable)
	if err := w.echo(t); status.Code(err) != codes.Unavailable {
		t.Fatalf("Echo = %v, want UNAVAILABLE after three attempts", err)
	}
	w.expectTree(t, []string{
		echoCall + " UNAVAILABLE",
		echoAttempt + " UNAVAILABLE previous-rpc-attempts=0 transparent-retry=false",
		echoServer + " UNAVAILABLE",
		echoAttempt + " UNAVAILABLE previous-rpc-attempts=1 transparent-retry=false",
		echoServer + " UNAVAILABLE",
		echoAttempt + " UNAVAILABLE previous-rpc-attempts=2 transparent-retry=false",
		echoServer + " UNAVAILABLE",
	})
	w.expectAttempts(t, attempts{"unary", "Echo", "Unavailable", 3})
	w.expectLine(t, logrus.Fields{
		logging.FieldCode: "Unavailable", logging.FieldAttempts: 3,
		logging.FieldAttemptCodes: []string{"Unavailable", "Unavailable", "Unavailable"},
	})
}

// The channel's token bucket starts at maxTokens (4) and loses one per failed attempt;
// grpc-go retries only while more than half is left: the second failure leaves 2, and stops
// a policy that would allow five attempts.
func TestRetryThrottlingStopsRetries(t *testing.T) {
	w := startWorld(t, retryPolicy(5, "0.01s", 1, `{"maxTokens": 4, "tokenRatio": 0.1}`),
		codes.Unavailable, codes.Unavailable, codes.Unavailable, codes.Unavailable, codes.Unavailable)
	if err := w.echo(t); status.Code(err) != codes.Unavailable {
		t.Fatalf("Echo = %v, want UNAVAILABLE", err)
	}
	w.expectTree(t, []string{
		echoCall + " UNAVAILABLE",
		echoAttempt + " UNAVAILABLE previous-rpc-attempts=0 transparent-retry=false",
		echoServer + " UNAVAILABLE",
		echoAttempt + " UNAVAILABLE previous-rpc-attempts=1 transparent-retry=false",
		echoServer + " UNAVAILABLE",
	})
	w.expectAttempts(t, attempts{"unary", "Echo", "Unavailable", 2})
	w.expectLine(t, logrus.Fields{
		logging.FieldCode: "Unavailable", logging.FieldAttempts: 2,
		logging.FieldAttemptCodes: []string{"Unavailable", "Unavailable"},
	})
}

// The second backoff (10 ms × 1000, ±20%) is longer than the deadline: the call ends
// DEADLINE_EXCEEDED while grpc-go waits to retry, after two attempts that each ended
// UNAVAILABLE.
func TestDeadlineExceededBetweenAttempts(t *testing.T) {
	w := startWorld(t, retryPolicy(5, "0.01s", 1000, ""),
		codes.Unavailable, codes.Unavailable, codes.Unavailable, codes.Unavailable, codes.Unavailable)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if _, err := w.h.Demo().Echo(ctx, &demov1.EchoRequest{Message: "retried"}); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("Echo = %v, want DEADLINE_EXCEEDED", err)
	}
	w.expectTree(t, []string{
		echoCall + " DEADLINE_EXCEEDED",
		echoAttempt + " UNAVAILABLE previous-rpc-attempts=0 transparent-retry=false",
		echoServer + " UNAVAILABLE",
		echoAttempt + " UNAVAILABLE previous-rpc-attempts=1 transparent-retry=false",
		echoServer + " UNAVAILABLE",
	})
	w.expectAttempts(t, attempts{"unary", "Echo", "Unavailable", 2})
	w.expectLine(t, logrus.Fields{
		logging.FieldCode: "DeadlineExceeded", logging.FieldAttempts: 2,
		logging.FieldAttemptCodes: []string{"Unavailable", "Unavailable"},
	})
}

// A server stream whose first attempt fails before the server sends anything is retried:
// the stream is not committed until a response arrives.
func TestStreamRetriedBeforeItCommits(t *testing.T) {
	w := startWorld(t, retryPolicy(3, "0.01s", 1, ""), codes.Unavailable)
	stream, err := w.h.Demo().ServerStream(testContext(t), &demov1.ServerStreamRequest{Message: "retried", Count: 2})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	received := 0
	for {
		_, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Recv = %v, want two messages then io.EOF", err)
		}
		received++
	}
	if received != 2 {
		t.Fatalf("received %d messages, want 2", received)
	}
	const (
		call    = "internal grpcobs.demo.v1.DemoService/ServerStream"
		attempt = "  client Attempt.grpcobs.demo.v1.DemoService.ServerStream"
		server  = "    server grpcobs.demo.v1.DemoService/ServerStream"
	)
	w.expectTree(t, []string{
		call + " OK",
		attempt + " UNAVAILABLE previous-rpc-attempts=0 transparent-retry=false",
		server + " UNAVAILABLE",
		attempt + " OK previous-rpc-attempts=1 transparent-retry=false",
		server + " OK",
	})
	w.expectAttempts(t, attempts{"server_stream", "ServerStream", "OK", 1}, attempts{"server_stream", "ServerStream", "Unavailable", 1})
	w.expectLine(t, logrus.Fields{
		logging.FieldMethod: "ServerStream", logging.FieldCode: "OK", logging.FieldAttempts: 2, logging.FieldAttemptCodes: []string{"Unavailable"},
	})
}

// The fields read as docs/logging.md shows them in the project's JSON formatter: the count a
// number, the codes an array.
func TestAttemptFieldsInJSON(t *testing.T) {
	w := startWorld(t, retryPolicy(3, "0.01s", 1, ""), codes.Unavailable)
	if err := w.echo(t); err != nil {
		t.Fatalf("Echo = %v, want OK after one retry", err)
	}
	var line string
	for _, e := range w.obs.ClientLog.AllEntries() {
		if e.Message == "finished call" {
			b, err := (&jsonformat.Formatter{}).Format(e)
			if err != nil {
				t.Fatalf("Format: %v", err)
			}
			line = string(b)
		}
	}
	const want = `"grpc.attempt_codes":["Unavailable"],"grpc.attempts":2,"grpc.code":"OK"`
	if !strings.Contains(line, want) {
		t.Errorf("finished-call line %s\nwant it to contain %s", line, want)
	}
}

package interop

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/internal/attempts"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The gRFC A72 comparison: the same calls, under the same retry policies, traced once by
// grpcobs (tracing.WithAttemptSpans on the client, tracing on the server) and once by
// grpc-go's own OpenTelemetry plugin with its experimental A72 tracing, each asserted to its
// exact span tree. docs/tracing.md, "Compared with gRFC A72", lists the differences these
// trees show and TestA72Differences names one by one.

// a72Scenario is one scenario: what it runs against a world, and the span tree each stack
// must record for it (see a72World.spanTree).
type a72Scenario struct {
	name string
	cfg  a72Config
	run  func(w *a72World, t *testing.T)
	want map[string][]string // by stack name
}

func TestA72SpanTrees(t *testing.T) {
	for _, sc := range a72Scenarios {
		for _, stack := range []a72Stack{a72Grpcobs, a72GrpcGo} {
			t.Run(sc.name+"/"+stack.name, func(t *testing.T) {
				w := startA72World(t, stack, sc.cfg)
				sc.run(w, t)
				want := sc.want[stack.name]
				if diff := cmp.Diff(want, w.spanTree(t, len(want))); diff != "" {
					t.Errorf("span tree (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// echo makes one Echo call and asserts it ends with code, and with the error wantErr unless
// the code is OK.
func (w *a72World) echo(t *testing.T, code codes.Code, wantErr string) {
	t.Helper()
	_, err := w.h.Demo().Echo(testContext(t), &demov1.EchoRequest{Message: "retried"})
	if status.Code(err) != code || (err != nil && err.Error() != wantErr) {
		t.Fatalf("Echo = %v, want %v %q", err, code, wantErr)
	}
}

// transparentRetry makes a ServerStream call that the server refuses before any handler
// sees it (a72Config.refuseOne), while an Echo holds the server's only stream slot; grpc-go
// retries the stream transparently, with no retry policy (see attempts.TransparentRetry for
// why the holder is released only once the refused attempt has written its request).
func (w *a72World) transparentRetry(t *testing.T) {
	t.Helper()
	attempts.TransparentRetry(t, testContext(t), w.h.Demo(), w.script, w.refused)
}

// The lines of the trees. grpcobs names spans as the semantic conventions (and otelgrpc) do,
// grpc-go as gRFC A72 does ("Sent.", "Attempt.", "Recv."); attempt spans are named alike.
// grpcobs' call span is INTERNAL and its attempt spans CLIENT, with the call's attributes;
// grpc-go's call span is CLIENT and its attempt spans INTERNAL.
const (
	obsEcho        = "internal grpcobs.demo.v1.DemoService/Echo"
	obsEchoServer  = "    server grpcobs.demo.v1.DemoService/Echo"
	obsEchoAttempt = "  client Attempt.grpcobs.demo.v1.DemoService.Echo"
	echoAttempt    = "  internal Attempt.grpcobs.demo.v1.DemoService.Echo"
	goEcho         = "client Sent.grpcobs.demo.v1.DemoService.Echo"
	goEchoServer   = "    server Recv.grpcobs.demo.v1.DemoService.Echo"

	// grpcobs' semconv attributes of a client call span, and of a server span (over
	// bufconn: its peer has no port; over TCP, both sides have ports).
	obsClient = "rpc.method=grpcobs.demo.v1.DemoService/Echo rpc.system.name=grpc server.address=*"
	obsServer = "network.peer.address=* rpc.method=grpcobs.demo.v1.DemoService/Echo rpc.system.name=grpc server.address=*"

	// grpc-go's message events of a 9-byte Echo request, and of its 9-byte response.
	sent9 = "Outbound message{message-size=9 sequence-number=0}"
	recv9 = "Inbound message{message-size=9 sequence-number=0}"
)

var a72Scenarios = []a72Scenario{{
	name: "retried once",
	cfg:  a72Config{serviceConfig: a72RetryPolicy(3), fail: []codes.Code{codes.Unavailable}},
	run:  func(w *a72World, t *testing.T) { w.echo(t, codes.OK, "") },
	want: map[string][]string{
		"grpcobs": {
			obsEcho + " [Unset] " + sortedAttrs(obsClient, "rpc.response.status_code=OK"),
			obsEchoAttempt + " [Error: attempt 1 refused] " + sortedAttrs(obsClient, "error.type=UNAVAILABLE previous-rpc-attempts=0 rpc.response.status_code=UNAVAILABLE transparent-retry=false"),
			obsEchoServer + " [Error: attempt 1 refused] " + sortedAttrs(obsServer, "error.type=UNAVAILABLE rpc.response.status_code=UNAVAILABLE"),
			obsEchoAttempt + " [Unset] " + sortedAttrs(obsClient, "previous-rpc-attempts=1 rpc.response.status_code=OK transparent-retry=false"),
			obsEchoServer + " [Unset] " + sortedAttrs(obsServer, "rpc.response.status_code=OK"),
		},
		"grpc-go": {
			goEcho + " [Ok]",
			echoAttempt + " [Error: attempt 1 refused] previous-rpc-attempts=0 transparent-retry=false | " + sent9,
			goEchoServer + " [Error: attempt 1 refused] | " + recv9,
			echoAttempt + " [Ok] previous-rpc-attempts=1 transparent-retry=false | " + sent9 + ", " + recv9,
			goEchoServer + " [Ok] | " + recv9 + ", " + sent9,
		},
	},
}, {
	name: "every attempt failing",
	cfg:  a72Config{serviceConfig: a72RetryPolicy(3), fail: []codes.Code{codes.Unavailable, codes.Unavailable, codes.Unavailable}},
	run: func(w *a72World, t *testing.T) {
		// grpc-go's own words, around the last attempt's status.
		w.echo(t, codes.Unavailable, "max retries exhausted: failed after 3 attempts: rpc error: code = Unavailable desc = attempt 3 refused")
	},
	want: map[string][]string{
		"grpcobs": {
			obsEcho + " [Error: max retries exhausted: failed after 3 attempts: rpc error: code = Unavailable desc = attempt 3 refused] " + sortedAttrs(obsClient, "error.type=UNAVAILABLE rpc.response.status_code=UNAVAILABLE"),
			obsEchoAttempt + " [Error: attempt 1 refused] " + sortedAttrs(obsClient, "error.type=UNAVAILABLE previous-rpc-attempts=0 rpc.response.status_code=UNAVAILABLE transparent-retry=false"),
			obsEchoServer + " [Error: attempt 1 refused] " + sortedAttrs(obsServer, "error.type=UNAVAILABLE rpc.response.status_code=UNAVAILABLE"),
			obsEchoAttempt + " [Error: attempt 2 refused] " + sortedAttrs(obsClient, "error.type=UNAVAILABLE previous-rpc-attempts=1 rpc.response.status_code=UNAVAILABLE transparent-retry=false"),
			obsEchoServer + " [Error: attempt 2 refused] " + sortedAttrs(obsServer, "error.type=UNAVAILABLE rpc.response.status_code=UNAVAILABLE"),
			obsEchoAttempt + " [Error: attempt 3 refused] " + sortedAttrs(obsClient, "error.type=UNAVAILABLE previous-rpc-attempts=2 rpc.response.status_code=UNAVAILABLE transparent-retry=false"),
			obsEchoServer + " [Error: attempt 3 refused] " + sortedAttrs(obsServer, "error.type=UNAVAILABLE rpc.response.status_code=UNAVAILABLE"),
		},
		"grpc-go": {
			goEcho + " [Error: max retries exhausted: failed after 3 attempts: rpc error: code = Unavailable desc = attempt 3 refused]",
			echoAttempt + " [Error: attempt 1 refused] previous-rpc-attempts=0 transparent-retry=false | " + sent9,
			goEchoServer + " [Error: attempt 1 refused] | " + recv9,
			echoAttempt + " [Error: attempt 2 refused] previous-rpc-attempts=1 transparent-retry=false | " + sent9,
			goEchoServer + " [Error: attempt 2 refused] | " + recv9,
			echoAttempt + " [Error: attempt 3 refused] previous-rpc-attempts=2 transparent-retry=false | " + sent9,
			goEchoServer + " [Error: attempt 3 refused] | " + recv9,
		},
	},
}, {
	name: "never retried",
	cfg:  a72Config{serviceConfig: a72RetryPolicy(3)},
	run:  func(w *a72World, t *testing.T) { w.echo(t, codes.OK, "") },
	want: map[string][]string{
		"grpcobs": {
			obsEcho + " [Unset] " + sortedAttrs(obsClient, "rpc.response.status_code=OK"),
			obsEchoAttempt + " [Unset] " + sortedAttrs(obsClient, "previous-rpc-attempts=0 rpc.response.status_code=OK transparent-retry=false"),
			obsEchoServer + " [Unset] " + sortedAttrs(obsServer, "rpc.response.status_code=OK"),
		},
		"grpc-go": {
			goEcho + " [Ok]",
			echoAttempt + " [Ok] previous-rpc-attempts=0 transparent-retry=false | " + sent9 + ", " + recv9,
			goEchoServer + " [Ok] | " + recv9 + ", " + sent9,
		},
	},
}, {
	// A code the policy does not retry, and that grpcobs' status policy calls the caller's
	// problem on the server: grpcobs' server span is not an error, grpc-go's is.
	name: "not retryable",
	cfg:  a72Config{serviceConfig: a72RetryPolicy(3), fail: []codes.Code{codes.NotFound}},
	run: func(w *a72World, t *testing.T) {
		w.echo(t, codes.NotFound, "rpc error: code = NotFound desc = attempt 1 refused")
	},
	want: map[string][]string{
		"grpcobs": {
			obsEcho + " [Error: attempt 1 refused] " + sortedAttrs(obsClient, "error.type=NOT_FOUND rpc.response.status_code=NOT_FOUND"),
			obsEchoAttempt + " [Error: attempt 1 refused] " + sortedAttrs(obsClient, "error.type=NOT_FOUND previous-rpc-attempts=0 rpc.response.status_code=NOT_FOUND transparent-retry=false"),
			obsEchoServer + " [Unset] " + sortedAttrs(obsServer, "rpc.response.status_code=NOT_FOUND"),
		},
		"grpc-go": {
			goEcho + " [Error: attempt 1 refused]",
			echoAttempt + " [Error: attempt 1 refused] previous-rpc-attempts=0 transparent-retry=false | " + sent9,
			goEchoServer + " [Error: attempt 1 refused] | " + recv9,
		},
	},
}, {
	// The refused attempt reaches no server, so it has no server span; grpc-go still records
	// the request it sent on it.
	name: "transparent retry",
	cfg:  a72Config{serviceConfig: `{}`, refuseOne: true},
	run:  (*a72World).transparentRetry,
	want: map[string][]string{
		"grpcobs": {
			obsEcho + " [Unset] " + sortedAttrs(obsClient, "rpc.response.status_code=OK server.port=*"),
			obsEchoAttempt + " [Unset] " + sortedAttrs(obsClient, "previous-rpc-attempts=0 rpc.response.status_code=OK server.port=* transparent-retry=false"),
			obsEchoServer + " [Unset] " + sortedAttrs(obsTCPServer("Echo"), "rpc.response.status_code=OK"),
			"internal grpcobs.demo.v1.DemoService/ServerStream [Unset] " + obsStream + " rpc.response.status_code=OK rpc.system.name=grpc server.address=* server.port=*",
			"  client Attempt.grpcobs.demo.v1.DemoService.ServerStream [Error: stream terminated by RST_STREAM with error code: REFUSED_STREAM] error.type=UNAVAILABLE previous-rpc-attempts=0 " + obsStream + " rpc.response.status_code=UNAVAILABLE rpc.system.name=grpc server.address=* server.port=* transparent-retry=false",
			// grpc-go sent grpc-previous-rpc-attempts 0: its transparent retries do not count.
			"  client Attempt.grpcobs.demo.v1.DemoService.ServerStream [Unset] previous-rpc-attempts=0 " + obsStream + " rpc.response.status_code=OK rpc.system.name=grpc server.address=* server.port=* transparent-retry=true",
			"    server grpcobs.demo.v1.DemoService/ServerStream [Unset] " + sortedAttrs(obsTCPServer("ServerStream"), "rpc.response.status_code=OK"),
		},
		"grpc-go": {
			goEcho + " [Ok]",
			echoAttempt + " [Ok] previous-rpc-attempts=0 transparent-retry=false | Outbound message{message-size=16 sequence-number=0}, Inbound message{message-size=16 sequence-number=0}",
			goEchoServer + " [Ok] | Inbound message{message-size=16 sequence-number=0}, Outbound message{message-size=16 sequence-number=0}",
			"client Sent.grpcobs.demo.v1.DemoService.ServerStream [Ok]",
			"  internal Attempt.grpcobs.demo.v1.DemoService.ServerStream [Error: stream terminated by RST_STREAM with error code: REFUSED_STREAM] previous-rpc-attempts=0 transparent-retry=false | Outbound message{message-size=11 sequence-number=0}",
			"  internal Attempt.grpcobs.demo.v1.DemoService.ServerStream [Ok] previous-rpc-attempts=1 transparent-retry=true | Outbound message{message-size=11 sequence-number=0}, Inbound message{message-size=12 sequence-number=0}",
			"    server Recv.grpcobs.demo.v1.DemoService.ServerStream [Ok] | Inbound message{message-size=11 sequence-number=0}, Outbound message{message-size=12 sequence-number=0}",
		},
	},
}}

// obsStream is the rpc.method of grpcobs' ServerStream spans.
const obsStream = "rpc.method=grpcobs.demo.v1.DemoService/ServerStream"

// obsTCPServer is obsServer for method over TCP, where the peer has a port too.
func obsTCPServer(method string) string {
	return "network.peer.address=* network.peer.port=* rpc.method=grpcobs.demo.v1.DemoService/" + method + " rpc.system.name=grpc server.address=* server.port=*"
}

// sortedAttrs joins attribute lists ("k=v k=v") in the order describeA72 renders them.
func sortedAttrs(lists ...string) string {
	var all []string
	for _, l := range lists {
		all = append(all, strings.Fields(l)...)
	}
	slices.Sort(all)
	return strings.Join(all, " ")
}

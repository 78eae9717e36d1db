package attempts_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// serviceGraph applies the pairing rule of Tempo's service-graph processor and of the
// OpenTelemetry Collector's servicegraph connector to spans: a CLIENT span is the client side
// of the edge keyed by its trace and span id, a SERVER span the server side of the edge keyed
// by its trace and parent span id; an edge is drawn where both sides are found. It returns
// the edges drawn, and the server spans left without a client side.
func serviceGraph(spans []sdktrace.ReadOnlySpan) (edges, unpaired int) {
	type key struct {
		trace trace.TraceID
		span  trace.SpanID
	}
	clients := map[key]bool{}
	for _, s := range spans {
		if s.SpanKind() == trace.SpanKindClient {
			clients[key{s.SpanContext().TraceID(), s.SpanContext().SpanID()}] = true
		}
	}
	for _, s := range spans {
		if s.SpanKind() != trace.SpanKindServer {
			continue
		}
		if clients[key{s.SpanContext().TraceID(), s.Parent().SpanID()}] {
			edges++
		} else {
			unpaired++
		}
	}
	return edges, unpaired
}

// spanMetricsKeys counts spans as the Collector's spanmetrics connector keys its calls
// series: by kind and name (one service here).
func spanMetricsKeys(spans []sdktrace.ReadOnlySpan) map[string]int {
	out := map[string]int{}
	for _, s := range spans {
		out[s.SpanKind().String()+" "+s.Name()]++
	}
	return out
}

// expectServiceGraph waits for the spans of one call of the method call (service/method) that
// made attempts attempts, and checks them as the servicegraph and spanmetrics connectors see
// them: one edge per attempt and no server span unpaired; the call counted once (INTERNAL with
// attempt spans, on; CLIENT without) and each attempt once (CLIENT, named attempt).
func expectServiceGraph(t *testing.T, w *world, call, attempt string, attempts int, on bool) {
	t.Helper()
	want := map[string]int{"server " + call: attempts}
	if on {
		want["internal "+call] = 1
		want["client "+attempt] = attempts
	} else {
		want["client "+call] = 1
	}
	total := 0
	for _, n := range want {
		total += n
	}
	w.spanTree(t, total)
	spans := w.obs.Spans.Ended()
	if diff := cmp.Diff(want, spanMetricsKeys(spans)); diff != "" {
		t.Errorf("spans by kind and name (-want +got):\n%s", diff)
	}
	if edges, unpaired := serviceGraph(spans); edges != attempts || unpaired != 0 {
		t.Errorf("%d edges and %d server spans unpaired; want %d edges, none unpaired", edges, unpaired, attempts)
	}
}

// With attempt spans on or off, retried or not, each attempt that reached the server makes
// one service-graph edge, and no server span is left without its client side; span-derived
// metrics count each call once (INTERNAL with attempt spans, CLIENT without) and each attempt
// once (CLIENT Attempt.*).
func TestServiceGraphPairsEveryServerSpan(t *testing.T) {
	const (
		call    = "grpcobs.demo.v1.DemoService/Echo"
		attempt = "Attempt.grpcobs.demo.v1.DemoService.Echo"
	)
	for _, sc := range []struct {
		name     string
		fail     []codes.Code
		code     codes.Code
		attempts int
	}{
		{"never retried", nil, codes.OK, 1},
		{"retried once", []codes.Code{codes.Unavailable}, codes.OK, 2},
		{"every attempt failing", []codes.Code{codes.Unavailable, codes.Unavailable, codes.Unavailable}, codes.Unavailable, 3},
	} {
		for _, on := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/attempt spans %v", sc.name, on), func(t *testing.T) {
				w := startWorldWith(t, worldConfig{serviceConfig: retryPolicy(3, "0.01s", 1, ""), fail: sc.fail, noAttempts: !on})
				if _, err := w.h.Demo().Echo(testContext(t), &demov1.EchoRequest{}); status.Code(err) != sc.code {
					t.Fatalf("Echo = %v, want %v", err, sc.code)
				}
				expectServiceGraph(t, w, call, attempt, sc.attempts, on)
			})
		}
	}
}

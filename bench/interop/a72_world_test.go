package interop

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/internal/attempts"
	"github.com/grpcobs/grpcobs/internal/firstlaw"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
)

// a72RetryPolicy is a service config that retries every DemoService call failing with
// UNAVAILABLE, up to maxAttempts attempts, 1 ms apart (grpc-go adds jitter).
func a72RetryPolicy(maxAttempts int) string {
	return attempts.RetryPolicy(maxAttempts, "0.001s", 1, "")
}

// a72World is a demo server and a client connected to it, both traced by one stack into one
// span recorder, the server failing attempts as its script says.
type a72World struct {
	tr     *traces
	h      *testsrv.Harness
	script *attempts.Script
	// refused is closed, with a72Config.refuseOne, when the server's refusal reaches the
	// relay in front of the client, which holds it back until the stream holding the slot
	// has ended.
	refused chan struct{}
}

// a72Config is what a world is made of beyond its stack.
type a72Config struct {
	serviceConfig string
	fail          []codes.Code // the script's codes
	// refuseOne makes the server refuse one stream before any handler sees it
	// (firstlaw.Refusal: TCP, one stream slot, the client unaware of the limit) while the
	// script holds the first attempt that reaches the handler. The refusal reaches the
	// client once that attempt has ended (see a72World.transparentRetry).
	refuseOne bool
	// client are dial options added after the stack's: their interceptors run inside it.
	client []grpc.DialOption
}

func startA72World(t *testing.T, stack a72Stack, cfg a72Config) *a72World {
	t.Helper()
	w := &a72World{tr: newTraces(t), script: &attempts.Script{Codes: cfg.fail}}
	server := append(stack.server(w.tr), grpc.ChainUnaryInterceptor(w.script.Unary), grpc.ChainStreamInterceptor(w.script.Stream))
	client := append(append(stack.client(w.tr), cfg.client...), grpc.WithDefaultServiceConfig(cfg.serviceConfig))
	var extra []testsrv.Option
	if cfg.refuseOne {
		w.script.Hold, w.script.Entered, w.refused = make(chan struct{}), make(chan struct{}), make(chan struct{})
		refusal := &firstlaw.Refusal{OnRefused: func() { close(w.refused) }}
		server = append(server, grpc.MaxConcurrentStreams(1))
		client = append(client, grpc.WithContextDialer(refusal.Dial))
		extra = append(extra, testsrv.WithTCP())
	}
	w.h = testsrv.Start(t, append([]testsrv.Option{testsrv.WithServerOptions(server...), testsrv.WithDialOptions(client...)}, extra...)...)
	w.connect(t)
	return w
}

// connect waits until the client's connection is ready, so that no call of the scenario
// waits for name resolution or for a connection, and grpc-go's events for such waits
// ("Delayed name resolution complete", "Delayed LB pick complete") cannot appear.
func (w *a72World) connect(t *testing.T) {
	t.Helper()
	ctx := testContext(t)
	w.h.Conn.Connect()
	for state := w.h.Conn.GetState(); state != connectivity.Ready; state = w.h.Conn.GetState() {
		if !w.h.Conn.WaitForStateChange(ctx, state) {
			t.Fatalf("client connection stuck in %v", state)
		}
	}
}

// spanTree waits until n spans ended (and no more after firstlaw.LateDuplicateWait), and
// renders them as a tree, one span a line (see describeA72), its children in start order
// indented below it. It checks that every span of a tree is in its root's trace, and that
// every client span lies within its parent's time (a server span may end after the client
// attempt that it serves: grpc-go's ends when its stats handler sees the end, after the
// trailers were sent).
func (w *a72World) spanTree(t *testing.T, n int) []string {
	t.Helper()
	w.tr.ended(t, n)
	time.Sleep(firstlaw.LateDuplicateWait)
	spans := w.tr.ended(t, n)
	slices.SortStableFunc(spans, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s
	}
	var lines []string
	var render func(parent sdktrace.ReadOnlySpan, depth int)
	render = func(parent sdktrace.ReadOnlySpan, depth int) {
		for _, s := range spans {
			p, ok := byID[s.Parent().SpanID()]
			if (parent == nil && ok) || (parent != nil && p != parent) {
				continue
			}
			if parent != nil && s.SpanContext().TraceID() != parent.SpanContext().TraceID() {
				t.Errorf("span %q is in trace %v, its parent %q in %v", s.Name(), s.SpanContext().TraceID(), parent.Name(), parent.SpanContext().TraceID())
			}
			if parent != nil && s.SpanKind() != trace.SpanKindServer && (s.StartTime().Before(parent.StartTime()) || s.EndTime().After(parent.EndTime())) {
				t.Errorf("span %q [%v, %v] is not within its parent %q [%v, %v]", s.Name(), s.StartTime(), s.EndTime(), parent.Name(), parent.StartTime(), parent.EndTime())
			}
			lines = append(lines, strings.Repeat("  ", depth)+describeA72(s))
			render(s, depth+1)
		}
	}
	render(nil, 0)
	return lines
}

// a72VolatileAttributes are attributes whose values depend on the run (addresses and ports):
// describeA72 shows their keys only. bench/interop's otelgrpc tests check their values.
var a72VolatileAttributes = map[attribute.Key]bool{
	"network.peer.address": true,
	"network.peer.port":    true,
	"server.address":       true,
	"server.port":          true,
}

// describeA72 is a span's line in spanTree: its kind, name and status, every attribute
// (sorted), and every event with its attributes:
//
//	client Sent.pkg.Service.Method [Ok] | Outbound message{message-size=9 sequence-number=0}
func describeA72(s sdktrace.ReadOnlySpan) string {
	line := s.SpanKind().String() + " " + s.Name() + " [" + s.Status().Code.String()
	if d := s.Status().Description; d != "" {
		line += ": " + d
	}
	line += "]"
	if kvs := a72Attributes(s.Attributes()); kvs != "" {
		line += " " + kvs
	}
	for i, e := range s.Events() {
		sep := ", "
		if i == 0 {
			sep = " | "
		}
		line += sep + e.Name + "{" + a72Attributes(e.Attributes) + "}"
	}
	return line
}

func a72Attributes(kvs []attribute.KeyValue) string {
	out := make([]string, 0, len(kvs))
	for _, kv := range kvs {
		if a72VolatileAttributes[kv.Key] {
			out = append(out, string(kv.Key)+"=*")
			continue
		}
		out = append(out, string(kv.Key)+"="+kv.Value.String())
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

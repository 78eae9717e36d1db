package reliability_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// TestRandomMethodNamesThroughTheWholeStack is a scanner calling 10,000 random method names,
// with a client that has the whole stack, at a server that has it too and answers any method
// through an unknown-service handler (as a proxy or a catch-all does). Afterwards:
//   - the metric series are exactly those of the one known method called and of "other";
//   - every span has the same attribute keys, and every attribute but rpc.method and
//     rpc.method_original (see TestUnknownMethodsGetBoundedSpanNames) has the same value on
//     every span;
//   - each side logged one valid JSON line per call (lines may name the method: that is one
//     line's worth of memory, not a series);
//   - the live heap is flat: the second 5,000 names add nothing measurable, and the first
//     5,000 no more than the bounded caches of the stack hold.
func TestRandomMethodNamesThroughTheWholeStack(t *testing.T) {
	shapes := newSpanShapes(0)
	var serverLines, clientLines lineCounter
	s := startStack(t, stackConfig{
		spans:         shapes,
		serverLines:   serverLines.line,
		clientLines:   clientLines.line,
		serverOptions: []grpc.ServerOption{grpc.UnknownServiceHandler(echoAnything)},
	})
	// A known method, called before the baseline: the connection is up and the known
	// method's series exist, so what follows is the attack's doing alone.
	if _, err := s.Demo().Echo(testContext(t), &demov1.EchoRequest{Message: "known"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	const half, workers = 5_000, 4
	ctx := testContext(t)
	seed := uint64(0)
	attack := func() {
		t.Helper()
		var wg sync.WaitGroup
		for range workers {
			seed++
			rng := rand.New(rand.NewPCG(seed, seed))
			wg.Go(func() {
				for range half / workers {
					var resp demov1.EchoResponse
					if err := s.Client.Invoke(ctx, randomMethod(rng), &demov1.EchoRequest{Message: "x"}, &resp); err != nil {
						t.Errorf("random method: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
	}
	before := heapAfterGC()
	attack()
	afterFirstHalf := heapAfterGC()
	attack()
	afterSecondHalf := heapAfterGC()
	t.Logf("live heap: %d bytes before, %+d after %d random methods, %+d after %d more",
		before, afterFirstHalf-before, half, afterSecondHalf-afterFirstHalf, half)

	const calls = 1 + 2*half
	spansEnded := func() (server, client int) {
		return shapes.count(trace.SpanKindServer), shapes.count(trace.SpanKindClient)
	}
	eventually(t, func() bool { server, client := spansEnded(); return server == calls && client == calls }, func() string {
		server, client := spansEnded()
		return fmt.Sprintf("%d server and %d client spans, want %d each", server, client, calls)
	})
	shapes.checkAttributes(t, s.Addr)
	for side, lines := range map[string]*lineCounter{"server": &serverLines, "client": &clientLines} {
		if got, bad := lines.counts(); got != calls || len(bad) > 0 {
			t.Errorf("%s log: %d finish lines, want %d; lines that are not a finish line in valid JSON: %q", side, got, calls, bad)
		}
	}
	checkAttackSeries(t, s, 2*half)

	// The stack's per-method caches are bounded (tracing keeps at most 1,024 methods); past
	// them, nothing grows. Measured: docs/RELIABILITY.md.
	const maxFirstHalfGrowth, maxSecondHalfGrowth = 4 << 20, 256 << 10
	if growth := afterFirstHalf - before; growth > maxFirstHalfGrowth {
		t.Errorf("the first %d random methods grew the live heap by %d bytes, want at most %d", half, growth, maxFirstHalfGrowth)
	}
	if growth := afterSecondHalf - afterFirstHalf; growth > maxSecondHalfGrowth {
		t.Errorf("the next %d random methods grew the live heap by %d bytes, want at most %d: memory is not flat", half, growth, maxSecondHalfGrowth)
	}
}

// checkAttackSeries checks that every series is the known method's or other's, with the counts
// of the calls made.
func checkAttackSeries(t *testing.T, s *stack, attackCalls float64) {
	t.Helper()
	series := func(typ interceptors.GRPCType, service, method string, code ...string) string {
		labels := map[string]string{"grpc_type": string(typ), "grpc_service": service, "grpc_method": method}
		if len(code) > 0 {
			labels["grpc_code"] = code[0]
		}
		return labelsKey(labels)
	}
	// The unknown-service handler serves every method as a bidi stream; the client made
	// unary calls.
	for _, side := range []struct {
		name string
		typ  interceptors.GRPCType
	}{{"server", interceptors.BidiStream}, {"client", interceptors.Unary}} {
		known, other := series(interceptors.Unary, demoService, "Echo"), series(side.typ, "other", "other")
		for _, tc := range []struct {
			family string
			want   map[string]float64
		}{
			{"started_total", map[string]float64{known: 1, other: attackCalls}},
			{"handled_total", map[string]float64{
				series(interceptors.Unary, demoService, "Echo", "OK"): 1,
				series(side.typ, "other", "other", "OK"):              attackCalls,
			}},
			{"msg_received_total", map[string]float64{known: 1, other: attackCalls}},
			{"msg_sent_total", map[string]float64{known: 1, other: attackCalls}},
			{"in_flight", map[string]float64{known: 0, other: 0}},
		} {
			family := "grpc_" + side.name + "_" + tc.family
			if diff := cmp.Diff(tc.want, values(t, s.Registry, family)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", family, diff)
			}
		}
	}
	families := seriesPerFamily(t, s.Registry)
	for family, n := range families {
		if n != 2 {
			t.Errorf("%s has %d series, want 2 (Echo's and other's)", family, n)
		}
	}
	if len(families) != 12 {
		t.Errorf("%d metric families, want 12 (six per side): %v", len(families), families)
	}
}

// TestUnknownMethodsGetBoundedSpanNames is the tracing half of the cardinality policy, as the
// semantic conventions the tracing package follows (v1.43.0) have it: a method the server does
// not know is "_OTHER" in rpc.method, the span is named "grpc" (rpc.system.name), and only
// rpc.method_original carries the name the caller sent. Today the span name and rpc.method
// carry whatever the caller sent: unbounded, and, since a method name can be any bytes, not
// always valid UTF-8, which OTLP cannot carry: one such span fails the export of its whole
// batch.
func TestUnknownMethodsGetBoundedSpanNames(t *testing.T) {
	shapes := newSpanShapes(1000)
	s := startStack(t, stackConfig{spans: shapes, serverOptions: []grpc.ServerOption{grpc.UnknownServiceHandler(echoAnything)}})
	rng := rand.New(rand.NewPCG(1, 2))
	methods := []string{"/bad\xff.Service/M\xfe"}
	for range 200 {
		methods = append(methods, randomMethod(rng))
	}
	ctx := testContext(t)
	for _, m := range methods {
		var resp demov1.EchoResponse
		if err := s.Client.Invoke(ctx, m, &demov1.EchoRequest{}, &resp); err != nil {
			t.Fatalf("%q: %v", m, err)
		}
	}
	eventually(t, func() bool { return shapes.count(trace.SpanKindServer) == len(methods) }, func() string { return "server spans" })

	shapes.mu.Lock()
	names, methodValues, invalid := len(shapes.names.seen), shapes.values["rpc.method"], shapes.invalidUTF8
	shapes.mu.Unlock()
	if names > 2 || methodValues.overflow || len(methodValues.seen) > 2 {
		t.Errorf("%d calls to unknown methods made %d span names (overflow %v) and %d rpc.method values (overflow %v), want the bounded \"grpc\" and \"_OTHER\"",
			len(methods), names, shapes.names.overflow, len(methodValues.seen), methodValues.overflow)
	}
	if invalid > 0 {
		t.Errorf("%d spans carry strings that are not valid UTF-8", invalid)
	}
	if err := exportOTLP(t, shapes.kept()); err != nil {
		t.Errorf("OTLP export of the spans: %v", err)
	}
}

// exportOTLP exports spans with the OTLP/HTTP exporter, to a collector that accepts anything.
func exportOTLP(t *testing.T, spans []sdktrace.ReadOnlySpan) error {
	t.Helper()
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer collector.Close()
	exporter, err := otlptracehttp.New(testContext(t), otlptracehttp.WithEndpointURL(collector.URL))
	if err != nil {
		t.Fatalf("OTLP exporter: %v", err)
	}
	defer func() { _ = exporter.Shutdown(context.Background()) }()
	return exporter.ExportSpans(testContext(t), spans)
}

// echoAnything is an unknown-service handler: it answers any method, the way a proxy or a
// catch-all does, with the message it received.
func echoAnything(_ any, stream grpc.ServerStream) error {
	var req demov1.EchoRequest
	if err := stream.RecvMsg(&req); err != nil {
		return err
	}
	return stream.SendMsg(&demov1.EchoResponse{Message: req.GetMessage()})
}

// randomMethod is a random "/package.Service/Method" of about 100 bytes.
func randomMethod(rng *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	return "/" + word(30) + ".v1." + word(30) + "/" + word(35)
}

// spanShapes is a span processor that learns the shape of the spans in bounded memory: how
// many of each kind, their attribute keys, up to maxDistinct names and values per key, and how
// many carry a string that is not valid UTF-8. It keeps the first keep spans.
type spanShapes struct {
	keep        int
	mu          sync.Mutex
	kinds       map[trace.SpanKind]int
	names       distinct
	values      map[attribute.Key]*distinct
	invalidUTF8 int
	first       []sdktrace.ReadOnlySpan
}

const maxDistinct = 64

// distinct holds up to maxDistinct values, and whether there were more.
type distinct struct {
	seen     map[string]bool
	overflow bool
}

func (d *distinct) add(v string) {
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	if d.seen[v] {
		return
	}
	if len(d.seen) == maxDistinct {
		d.overflow = true
		return
	}
	d.seen[v] = true
}

var _ sdktrace.SpanProcessor = (*spanShapes)(nil)

func newSpanShapes(keep int) *spanShapes {
	return &spanShapes{keep: keep, kinds: map[trace.SpanKind]int{}, values: map[attribute.Key]*distinct{}}
}

func (p *spanShapes) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (p *spanShapes) Shutdown(context.Context) error                  { return nil }
func (p *spanShapes) ForceFlush(context.Context) error                { return nil }

func (p *spanShapes) OnEnd(span sdktrace.ReadOnlySpan) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kinds[span.SpanKind()]++
	p.names.add(span.Name())
	valid := utf8.ValidString(span.Name())
	for _, kv := range span.Attributes() {
		d := p.values[kv.Key]
		if d == nil {
			d = &distinct{}
			p.values[kv.Key] = d
		}
		v := kv.Value.String()
		d.add(v)
		valid = valid && utf8.ValidString(v)
	}
	if !valid {
		p.invalidUTF8++
	}
	if len(p.first) < p.keep {
		p.first = append(p.first, span)
	}
}

func (p *spanShapes) count(kind trace.SpanKind) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.kinds[kind]
}

func (p *spanShapes) kept() []sdktrace.ReadOnlySpan {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.first)
}

// checkAttributes fails the test unless the spans have exactly the attribute keys of a call
// over loopback TCP, and every attribute but rpc.method and rpc.method_original one value: on
// one connection, the peer's port is the same for every call. rpc.method_original is the name
// the caller sent, cut to 256 bytes: one span's worth of data, never a name or a label.
func (p *spanShapes) checkAttributes(t *testing.T, serverAddr string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	got := map[string][]string{}
	for key, d := range p.values {
		if key == "rpc.method" || key == "rpc.method_original" {
			continue
		}
		vs := slices.Sorted(maps.Keys(d.seen))
		if d.overflow {
			vs = append(vs, "…")
		}
		got[string(key)] = vs
	}
	_, port, _ := net.SplitHostPort(serverAddr)
	want := map[string][]string{
		"rpc.system.name":          {"grpc"},
		"rpc.response.status_code": {"OK"},
		"network.peer.address":     {"127.0.0.1"},
		"network.peer.port":        got["network.peer.port"],
		"server.address":           {"127.0.0.1"},
		"server.port":              {port},
	}
	if len(want["network.peer.port"]) != 1 {
		want["network.peer.port"] = []string{"the client's one port"}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("span attributes other than rpc.method, with their values (-want +got):\n%s", diff)
	}
	if p.values["rpc.method"] == nil {
		t.Errorf("no span has rpc.method")
	}
}

// lineCounter is a log sink's line handler that keeps no line: it counts the finish lines and
// keeps the first few lines that are not a finish line in valid JSON.
type lineCounter struct {
	finished atomic.Int64
	mu       sync.Mutex
	bad      []string
}

func (c *lineCounter) line(line []byte) {
	var l struct {
		Msg string `json:"msg"`
	}
	if err := json.Unmarshal(line, &l); err != nil || l.Msg != "finished call" {
		c.mu.Lock()
		if len(c.bad) < 5 {
			c.bad = append(c.bad, string(line))
		}
		c.mu.Unlock()
		return
	}
	c.finished.Add(1)
}

func (c *lineCounter) counts() (finished int, bad []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int(c.finished.Load()), slices.Clone(c.bad)
}

package reliability_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
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
	"github.com/grpcobs/grpcobs/internal/testsrv"
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
//   - the spans have two names, the known method's and "grpc", and the same attribute keys;
//     every attribute has one value on every span of a method, but rpc.method_original, which
//     carries the name the caller sent, as the semantic conventions ask;
//   - each side logged one valid JSON line per call (lines may name the method: that is one
//     line's worth of memory, not a series);
//   - the live heap is flat: neither the first 5,000 names nor the next 5,000 leave anything
//     measurable behind.
func TestRandomMethodNamesThroughTheWholeStack(t *testing.T) {
	shapes := newSpanShapes(0)
	var serverLines, clientLines lineCounter
	s := startStack(t, stackConfig{
		spans:         shapes,
		serverLines:   serverLines.line,
		clientLines:   clientLines.line,
		serverOptions: []grpc.ServerOption{grpc.UnknownServiceHandler(testsrv.EchoAnything)},
	})
	// A known method, called before the baseline: the connection is up and the known
	// method's series exist, so what follows is the attack's doing alone.
	if _, err := s.Demo().Echo(testContext(t), &demov1.EchoRequest{Message: "known"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	const half = 5_000
	ctx := testContext(t)
	before := testsrv.HeapAfterGC()
	testsrv.CallRandomMethods(t, ctx, s.Client, 1, half)
	afterFirstHalf := testsrv.HeapAfterGC()
	testsrv.CallRandomMethods(t, ctx, s.Client, 2, half)
	afterSecondHalf := testsrv.HeapAfterGC()
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
	shapes.check(t, s.Addr, 2*half)
	for side, lines := range map[string]*lineCounter{"server": &serverLines, "client": &clientLines} {
		if got, bad := lines.counts(); got != calls || len(bad) > 0 {
			t.Errorf("%s log: %d finish lines, want %d; lines that are not a finish line in valid JSON: %q", side, got, calls, bad)
		}
	}
	checkAttackSeries(t, s, 2*half)

	// Nothing keeps a name a caller made up: no series, no cache entry. Measured:
	// docs/RELIABILITY.md.
	const maxGrowth = 256 << 10
	for i, growth := range []int64{afterFirstHalf - before, afterSecondHalf - afterFirstHalf} {
		if growth > maxGrowth {
			t.Errorf("%d random methods (batch %d of 2) grew the live heap by %d bytes, want at most %d", half, i+1, growth, maxGrowth)
		}
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

// TestHostileMethodNamesKeepSpansExportable: a method name is any bytes the caller sends, and
// OTLP refuses a span with a string that is not valid UTF-8 (the exporter fails the whole batch
// the span is in, other calls' spans with it). Through an unknown-service handler, a method
// named with invalid UTF-8, a made-up one and a known one make spans that all export: the
// undeclared methods' spans are named "grpc", with rpc.method "_OTHER" and the name sent, made
// valid UTF-8, in rpc.method_original.
func TestHostileMethodNamesKeepSpansExportable(t *testing.T) {
	shapes := newSpanShapes(6)
	s := startStack(t, stackConfig{spans: shapes, serverOptions: []grpc.ServerOption{grpc.UnknownServiceHandler(testsrv.EchoAnything)}})
	ctx := testContext(t)
	for _, m := range []string{"/bad\xff.Service/M\xfe", "/made.up.v1.Service/Method"} {
		var resp demov1.EchoResponse
		if err := s.Client.Invoke(ctx, m, &demov1.EchoRequest{}, &resp); err != nil {
			t.Fatalf("%q: %v", m, err)
		}
	}
	if _, err := s.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	eventually(t, func() bool { return len(shapes.kept()) == 6 }, func() string { return fmt.Sprintf("%d spans ended, want 6", len(shapes.kept())) })

	got := map[string][]string{}
	for _, span := range shapes.kept() {
		a := attrs(span)
		got[span.SpanKind().String()] = append(got[span.SpanKind().String()],
			fmt.Sprintf("%s rpc.method=%s rpc.method_original=%+q", span.Name(), a["rpc.method"], a["rpc.method_original"]))
	}
	for kind := range got {
		slices.Sort(got[kind])
	}
	want := []string{
		`grpc rpc.method=_OTHER rpc.method_original="bad\ufffd.Service/M\ufffd"`,
		`grpc rpc.method=_OTHER rpc.method_original="made.up.v1.Service/Method"`,
		`grpcobs.demo.v1.DemoService/Echo rpc.method=grpcobs.demo.v1.DemoService/Echo rpc.method_original=""`,
	}
	if diff := cmp.Diff(map[string][]string{"server": want, "client": want}, got); diff != "" {
		t.Errorf("spans by kind (-want +got):\n%s", diff)
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

// distinct holds up to maxDistinct values, whether there were more, and how many it was given.
type distinct struct {
	seen     map[string]bool
	overflow bool
	count    int
}

func (d *distinct) add(v string) {
	d.count++
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

// check fails the test unless the spans have the names and attributes of calls over loopback
// TCP to Echo and to undeclared methods: every attribute has one value per method, except
// rpc.method_original, which the spans of the undeclared methods (undeclared of them) carry.
// On one connection, the peer's port is the same for every call.
func (p *spanShapes) check(t *testing.T, serverAddr string, undeclared int) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	values := func(d *distinct) []string {
		vs := slices.Sorted(maps.Keys(d.seen))
		if d.overflow {
			vs = append(vs, "…")
		}
		return vs
	}
	const echo = demoService + "/Echo"
	got := map[string][]string{"span name": values(&p.names)}
	for key, d := range p.values {
		if key != "rpc.method_original" {
			got[string(key)] = values(d)
		}
	}
	_, port, _ := net.SplitHostPort(serverAddr)
	want := map[string][]string{
		"span name":                {"grpc", echo},
		"rpc.method":               {"_OTHER", echo},
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
		t.Errorf("span names and attributes other than rpc.method_original, with their values (-want +got):\n%s", diff)
	}
	if original := p.values["rpc.method_original"]; original == nil || original.count != 2*undeclared {
		t.Errorf("rpc.method_original is on %v spans, want the %d of the undeclared methods' calls", original, 2*undeclared)
	}
	if p.invalidUTF8 > 0 {
		t.Errorf("%d spans carry a string that is not valid UTF-8", p.invalidUTF8)
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

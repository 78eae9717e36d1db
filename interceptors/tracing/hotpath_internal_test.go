package tracing

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"
)

// w3cComposite is what the default propagator was spelled as: core.extract and core.inject
// must behave exactly like it.
var w3cComposite = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

func TestDefaultPropagatorExtractsAsTheW3CComposite(t *testing.T) {
	c := newCore(nil, false)
	if c.propagator != nil {
		t.Fatalf("default propagator = %T, want nil (the W3C fast path)", c.propagator)
	}
	parent := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	for _, md := range []metadata.MD{
		nil,
		{},
		metadata.Pairs("traceparent", parent),
		metadata.Pairs("traceparent", parent, "tracestate", "vendor=abc", "baggage", "user=alice,tenant=t1"),
		metadata.Pairs("baggage", "user=alice"),
		metadata.Pairs("traceparent", "garbage", "baggage", "not baggage"),
		{"Traceparent": {parent}, "BAGGAGE": {"user=bob"}}, // keys gRPC did not lower-case
		{"traceparent": {parent, parent}, "baggage": {"a=1", "b=2"}},
		{"traceparent-bin": {parent}},
	} {
		ctx := metadata.NewIncomingContext(context.Background(), md)
		carrier := c.newIncomingCarrier(ctx)
		got := c.extract(context.Background(), carrier)
		c.releaseIncomingCarrier(carrier)
		if carrier.ctx != nil {
			t.Errorf("%v: a released carrier still holds the call's context", md)
		}
		want := w3cComposite.Extract(context.Background(), &incomingCarrier{ctx: ctx})

		if g, w := trace.SpanContextFromContext(got), trace.SpanContextFromContext(want); !g.Equal(w) {
			t.Errorf("%v: span context %v, want %v", md, g, w)
		}
		if g, w := sortedMembers([]string{baggageKey, baggage.FromContext(got).String()}), sortedMembers([]string{baggageKey, baggage.FromContext(want).String()}); !slices.Equal(g, w) {
			t.Errorf("%v: baggage %q, want %q", md, g, w)
		}
	}
}

func TestDefaultPropagatorInjectsAsTheW3CComposite(t *testing.T) {
	c := newCore(nil, true)
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	})
	ts, err := trace.ParseTraceState("vendor=abc")
	if err != nil {
		t.Fatal(err)
	}
	bag, err := baggage.Parse("user=alice,tenant=t1")
	if err != nil {
		t.Fatal(err)
	}
	for name, ctx := range map[string]context.Context{
		"empty":               context.Background(),
		"span":                trace.ContextWithSpanContext(context.Background(), sc),
		"span and tracestate": trace.ContextWithSpanContext(context.Background(), sc.WithTraceState(ts)),
		"baggage":             baggage.ContextWithBaggage(context.Background(), bag),
		"span and baggage":    baggage.ContextWithBaggage(trace.ContextWithSpanContext(context.Background(), sc), bag),
	} {
		for range 2 { // the second time, with a recycled carrier
			carrier := c.newOutgoingCarrier()
			c.inject(ctx, carrier)
			got := append([]string(nil), carrier.kv...)
			c.releaseOutgoingCarrier(carrier)

			var want outgoingCarrier
			w3cComposite.Inject(ctx, &want)
			if diff := cmp.Diff(sortedMembers(want.kv), sortedMembers(got)); diff != "" {
				t.Errorf("%s: injected pairs (-want +got):\n%s", name, diff)
			}
		}
	}
}

// sortedMembers sorts the members of baggage values: baggage is a map, written in no
// particular order.
func sortedMembers(kv []string) []string {
	out := slices.Clone(kv)
	for i := 0; i+1 < len(out); i += 2 {
		if out[i] == baggageKey {
			members := strings.Split(out[i+1], ",")
			slices.Sort(members)
			out[i+1] = strings.Join(members, ",")
		}
	}
	return out
}

// retainingPropagator keeps every carrier it is given, as a careless custom propagator might.
type retainingPropagator struct {
	propagation.TextMapPropagator
	carriers []propagation.TextMapCarrier
}

func (p *retainingPropagator) Extract(ctx context.Context, carrier propagation.TextMapCarrier) context.Context {
	p.carriers = append(p.carriers, carrier)
	return p.TextMapPropagator.Extract(ctx, carrier)
}

func (p *retainingPropagator) Inject(ctx context.Context, carrier propagation.TextMapCarrier) {
	p.carriers = append(p.carriers, carrier)
	p.TextMapPropagator.Inject(ctx, carrier)
}

// TestCustomPropagatorCarriersAreNotRecycled: a carrier handed to a propagator set with
// WithPropagators may be kept by it, so it is never handed to another call.
func TestCustomPropagatorCarriersAreNotRecycled(t *testing.T) {
	p := &retainingPropagator{TextMapPropagator: w3cComposite}
	server := newCore([]Option{WithPropagators(p)}, false)
	client := newCore([]Option{WithPropagators(p)}, true)
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("baggage", "user=alice"))
	for range 3 {
		in := server.newIncomingCarrier(ctx)
		server.extract(ctx, in)
		server.releaseIncomingCarrier(in)
		out := client.newOutgoingCarrier()
		client.inject(baggage.ContextWithBaggage(ctx, baggage.FromContext(server.extract(ctx, &incomingCarrier{ctx: ctx}))), out)
		client.releaseOutgoingCarrier(out)
	}
	seen := map[propagation.TextMapCarrier]bool{}
	for _, c := range p.carriers {
		if seen[c] {
			t.Fatalf("carrier %p was given to the custom propagator twice", c)
		}
		seen[c] = true
	}
}

func TestPeerHostCacheSpellsAsAddrString(t *testing.T) {
	var c peerHostCache
	for _, s := range []string{"10.0.0.7", "::ffff:10.0.0.7", "2001:db8::1", "fe80::1%eth0", "::1"} {
		ip := netip.MustParseAddr(s)
		for range 2 { // formatted, then cached
			if got, want := c.host(ip), addrString(ip); got != want {
				t.Errorf("host(%s) = %q, want %q", s, got, want)
			}
		}
	}
	if got := c.host(netip.Addr{}); got != addrString(netip.Addr{}) {
		t.Errorf("host(zero) = %q, want %q", got, addrString(netip.Addr{}))
	}
}

func TestPeerHostCacheIsBounded(t *testing.T) {
	var c peerHostCache
	for i := range maxCachedPeerHosts + 100 {
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		if got, want := c.host(ip), ip.String(); got != want {
			t.Fatalf("host(%v) = %q", ip, got)
		}
	}
	n := 0
	c.hosts.Range(func(any, any) bool { n++; return true })
	if n != maxCachedPeerHosts || int(c.size.Load()) != maxCachedPeerHosts {
		t.Errorf("cache holds %d hosts (counted %d), want %d", n, c.size.Load(), maxCachedPeerHosts)
	}
}

// fakeAddr is an address of an unknown type: bufconn's "bufconn", or a name with a port.
type fakeAddr string

func (a fakeAddr) Network() string { return "fake" }
func (a fakeAddr) String() string  { return string(a) }

func TestPeerAttributesAppendWithoutAliasing(t *testing.T) {
	c := newCore(nil, false)
	remote := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 7), Port: 53412}
	want := func(local string, localPort int) []attribute.KeyValue {
		attrs := []attribute.KeyValue{
			attribute.String("network.peer.address", "10.0.0.7"),
			attribute.Int("network.peer.port", 53412),
			attribute.String("server.address", local),
		}
		if localPort > 0 {
			attrs = append(attrs, attribute.Int("server.port", localPort))
		}
		return attrs
	}
	for _, tc := range []struct {
		local     net.Addr
		host      string
		localPort int
	}{
		{&net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 8080}, "10.0.0.1", 8080},
		{fakeAddr("bufconn"), "bufconn", 0},
		{fakeAddr("name:9090"), "name", 9090},
		{&net.UnixAddr{Name: "/run/grpc.sock", Net: "unix"}, "/run/grpc.sock", 0},
	} {
		for i := range 3 { // the TCP address is cached after the first call
			var buf [4]attribute.KeyValue
			got := c.appendPeerAttributes(buf[:0], remote, tc.local)
			if diff := cmp.Diff(want(tc.host, tc.localPort), got, cmp.Comparer(func(a, b attribute.KeyValue) bool { return a == b })); diff != "" {
				t.Errorf("%v, call %d: attributes (-want +got):\n%s", tc.local, i, diff)
			}
			// What the caller does with its buffer must not reach the cache.
			for j := range got {
				got[j] = attribute.String("scribbled", strconv.Itoa(j))
			}
		}
	}
}

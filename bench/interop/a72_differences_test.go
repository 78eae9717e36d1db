package interop

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/tracing"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// a72Aspect is one thing a user of either tracer sees of a retried call, as each stack shows
// it. Where the two columns differ, docs/tracing.md ("Compared with gRFC A72") says why.
type a72Aspect struct {
	aspect, grpcGo, grpcobs string
}

// a72Aspects are the aspects of the "retried once" scenario: a unary Echo whose first attempt
// the server fails with UNAVAILABLE and whose second succeeds.
var a72Aspects = []a72Aspect{
	{"call span", "client Sent.grpcobs.demo.v1.DemoService.Echo", "internal grpcobs.demo.v1.DemoService/Echo"},
	{"call span status", "Ok", "Unset"},
	{"call span attributes", "", "rpc.method rpc.response.status_code rpc.system.name server.address"},
	{"call span events", "", ""},
	{"attempt spans", "2 internal Attempt.grpcobs.demo.v1.DemoService.Echo", "2 client Attempt.grpcobs.demo.v1.DemoService.Echo"},
	{"attempt span parent", "the call span", "the call span"},
	{"failed attempt's status", "Error: attempt 1 refused", "Error: attempt 1 refused"},
	{"failed attempt's attributes", "previous-rpc-attempts=0 transparent-retry=false", "error.type=UNAVAILABLE previous-rpc-attempts=0 rpc.method=grpcobs.demo.v1.DemoService/Echo rpc.response.status_code=UNAVAILABLE rpc.system.name=grpc server.address=* transparent-retry=false"},
	{"succeeded attempt's status", "Ok", "Unset"},
	{"succeeded attempt's attributes", "previous-rpc-attempts=1 transparent-retry=false", "previous-rpc-attempts=1 rpc.method=grpcobs.demo.v1.DemoService/Echo rpc.response.status_code=OK rpc.system.name=grpc server.address=* transparent-retry=false"},
	{"succeeded attempt's events", "Outbound message, Inbound message", ""},
	{"server spans", "2 server Recv.grpcobs.demo.v1.DemoService.Echo", "2 server grpcobs.demo.v1.DemoService/Echo"},
	{"server span parent", "its attempt span", "its attempt span"},
	// Service graphs (Tempo's, the OpenTelemetry Collector's servicegraph connector) draw an
	// edge only where a SERVER span's parent is a CLIENT span.
	{"server span parent's kind", "internal", "client"},
	{"succeeded server span's status", "Ok", "Unset"},
	{"server span attributes", "", "network.peer.address rpc.method rpc.response.status_code rpc.system.name server.address"},
	{"succeeded server span's events", "Inbound message, Outbound message", ""},
	{"instrumentation scope", "grpc-go " + grpc.Version, tracing.ScopeName + " "},
}

// TestA72Differences names, one by one, what grpcobs' attempt spans share with grpc-go's
// experimental A72 tracing and where they differ, on a call retried once.
func TestA72Differences(t *testing.T) {
	got := map[string]map[string]string{}
	for _, stack := range []a72Stack{a72Grpcobs, a72GrpcGo} {
		w := startA72World(t, stack, a72Config{serviceConfig: a72RetryPolicy(3), fail: []codes.Code{codes.Unavailable}})
		w.echo(t, codes.OK, "")
		got[stack.name] = w.aspects(t)
	}
	for _, a := range a72Aspects {
		if g := got["grpc-go"][a.aspect]; g != a.grpcGo {
			t.Errorf("grpc-go's %s: %q, want %q", a.aspect, g, a.grpcGo)
		}
		if g := got["grpcobs"][a.aspect]; g != a.grpcobs {
			t.Errorf("grpcobs' %s: %q, want %q", a.aspect, g, a.grpcobs)
		}
	}
}

// aspects reads the aspects of a72Aspects from the spans of one call retried once: a call
// span, two attempt spans under it, and a server span under each.
func (w *a72World) aspects(t *testing.T) map[string]string {
	t.Helper()
	const attempts = 2
	spans := w.tr.ended(t, 1+2*attempts)
	slices.SortStableFunc(spans, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	var call sdktrace.ReadOnlySpan
	var tries, servers []sdktrace.ReadOnlySpan
	for _, s := range spans {
		switch {
		case s.SpanKind() == trace.SpanKindServer:
			servers = append(servers, s)
		case strings.HasPrefix(s.Name(), "Attempt."):
			tries = append(tries, s)
		default:
			call = s
		}
	}
	if call == nil || len(tries) != attempts || len(servers) != attempts {
		t.Fatalf("spans %v, want a call span, %d attempt spans and %d server spans", a72SpanNames(spans), attempts, attempts)
	}
	// The server span of attempt n is the one whose parent is that attempt's span, if any.
	serverParent := "its attempt span"
	for i, s := range servers {
		if s.Parent().SpanID() != tries[i].SpanContext().SpanID() {
			serverParent = "span " + s.Parent().SpanID().String()
		}
	}
	return map[string]string{
		"call span":                      spanKindAndName(call),
		"call span status":               spanStatus(call),
		"call span attributes":           spanAttributeKeys(call),
		"call span events":               spanEventNames(call),
		"attempt spans":                  a72SameSpans(tries),
		"attempt span parent":            a72ParentOf(tries, call),
		"failed attempt's status":        spanStatus(tries[0]),
		"failed attempt's attributes":    a72Attributes(tries[0].Attributes()),
		"succeeded attempt's status":     spanStatus(tries[1]),
		"succeeded attempt's attributes": a72Attributes(tries[1].Attributes()),
		"succeeded attempt's events":     spanEventNames(tries[1]),
		"server spans":                   a72SameSpans(servers),
		"server span parent":             serverParent,
		"server span parent's kind":      tries[0].SpanKind().String(),
		"succeeded server span's status": spanStatus(servers[1]),
		"server span attributes":         spanAttributeKeys(servers[1]),
		"succeeded server span's events": spanEventNames(servers[1]),
		"instrumentation scope":          call.InstrumentationScope().Name + " " + call.InstrumentationScope().Version,
	}
}

func spanKindAndName(s sdktrace.ReadOnlySpan) string { return s.SpanKind().String() + " " + s.Name() }

func spanStatus(s sdktrace.ReadOnlySpan) string {
	if d := s.Status().Description; d != "" {
		return s.Status().Code.String() + ": " + d
	}
	return s.Status().Code.String()
}

func spanAttributeKeys(s sdktrace.ReadOnlySpan) string {
	keys := make([]string, 0, len(s.Attributes()))
	for _, kv := range s.Attributes() {
		keys = append(keys, string(kv.Key))
	}
	slices.Sort(keys)
	return strings.Join(keys, " ")
}

func spanEventNames(s sdktrace.ReadOnlySpan) string {
	names := make([]string, 0, len(s.Events()))
	for _, e := range s.Events() {
		names = append(names, e.Name)
	}
	return strings.Join(names, ", ")
}

// a72SameSpans is "n kind name" when the n spans share their kind and name, and lists them when
// they do not.
func a72SameSpans(spans []sdktrace.ReadOnlySpan) string {
	first := spanKindAndName(spans[0])
	for _, s := range spans[1:] {
		if spanKindAndName(s) != first {
			return strings.Join(a72SpanNames(spans), ", ")
		}
	}
	return strconv.Itoa(len(spans)) + " " + first
}

// a72ParentOf is "the call span" when every span is call's child.
func a72ParentOf(spans []sdktrace.ReadOnlySpan, call sdktrace.ReadOnlySpan) string {
	for _, s := range spans {
		if s.Parent().SpanID() != call.SpanContext().SpanID() {
			return "span " + s.Parent().SpanID().String()
		}
	}
	return "the call span"
}

func a72SpanNames(spans []sdktrace.ReadOnlySpan) []string {
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = spanKindAndName(s)
	}
	return names
}

package tracing_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"
)

// The W3C example trace context.
const (
	callerTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpanID  = "00f067aa0ba902b7"
	validParent   = "00-" + callerTraceID + "-" + callerSpanID + "-01"
)

// members returns n baggage members "m0000=v" … joined by sep.
func members(n int, sep string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "m" + pad4(i) + "=v"
	}
	return strings.Join(parts, sep)
}

func pad4(i int) string {
	s := strconv.Itoa(i)
	return strings.Repeat("0", 4-len(s)) + s
}

// memberMap is members(n, …) as the handler should see it.
func memberMap(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m["m"+pad4(i)] = "v"
	}
	return m
}

// TestHostileIncomingMetadata sends what an attacker (or a broken peer) might, from a client
// without tracing, to a traced server: every call succeeds, the span is the caller's child
// only when the caller's trace context is valid, and only valid baggage within the limits
// reaches the handler.
func TestHostileIncomingMetadata(t *testing.T) {
	manyKeys := make([]string, 0, 2*5000)
	for i := range 5000 {
		manyKeys = append(manyKeys, "x-key-"+pad4(i), "v")
	}
	for _, tc := range []struct {
		name        string
		md          metadata.MD
		wantChild   bool
		wantState   string
		wantBaggage map[string]string
	}{
		{name: "valid", md: metadata.Pairs("traceparent", validParent, "tracestate", "vendor=abc", "baggage", "user=alice"),
			wantChild: true, wantState: "vendor=abc", wantBaggage: map[string]string{"user": "alice"}},
		{name: "garbage traceparent", md: metadata.Pairs("traceparent", "garbage", "tracestate", "vendor=abc")},
		{name: "non-hex trace id", md: metadata.Pairs("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e473Z-00f067aa0ba902b7-01")},
		{name: "all-zero trace id", md: metadata.Pairs("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01")},
		{name: "version ff", md: metadata.Pairs("traceparent", "ff"+validParent[2:])},
		{name: "version 00 with trailing data", md: metadata.Pairs("traceparent", validParent+"-extra")},
		{name: "repeated traceparent", md: metadata.Pairs("traceparent", validParent, "traceparent", "00-"+callerTraceID+"-1111111111111111-01")},
		{name: "1 MB traceparent of a future version", md: metadata.Pairs("traceparent", "01"+validParent[2:]+"-"+strings.Repeat("a", 1<<20))},
		{name: "1 MB baggage", md: metadata.Pairs("traceparent", validParent, "baggage", "user="+strings.Repeat("a", 1<<20)), wantChild: true},
		{name: "10,000 baggage members in one value", md: metadata.Pairs("traceparent", validParent, "baggage", members(10000, ",")), wantChild: true},
		{name: "10,000 baggage values", md: metadata.MD{"traceparent": {validParent}, "baggage": strings.Split(members(10000, "\n"), "\n")}, wantChild: true},
		{name: "100 baggage values keep the first 64", md: metadata.MD{"baggage": strings.Split(members(100, "\n"), "\n")}, wantBaggage: memberMap(64)},
		{name: "33 tracestate members", md: metadata.Pairs("traceparent", validParent, "tracestate", strings.ReplaceAll(members(33, ","), "m", "v")), wantChild: true},
		{name: "5,000 metadata keys", md: metadata.Join(metadata.Pairs(manyKeys...), metadata.Pairs("traceparent", validParent, "baggage", "user=alice")),
			wantChild: true, wantBaggage: map[string]string{"user": "alice"}},
		{name: "binary keys are not trace context", md: metadata.Pairs("traceparent-bin", validParent, "baggage-bin", "user=alice", "tracestate-bin", "\x00\xff")},
		{name: "binary keys next to valid ones", md: metadata.Pairs("traceparent-bin", "\x00\x01", "traceparent", validParent, "baggage", "user=alice"),
			wantChild: true, wantBaggage: map[string]string{"user": "alice"}},
		{name: "percent-encoded invalid UTF-8 baggage", md: metadata.Pairs("baggage", "user=%FF%FEok,bad key=x,good=%E2%9C%93"),
			wantBaggage: map[string]string{"user": "\uFFFD\uFFFDok", "good": "\u2713"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTraces(t)
			var view handlerView
			server := tracing.NewServer(tracing.WithTracerProvider(tr), tracing.WithMessageEvents(), tracing.WithBaggageAttributes("user"))
			h := testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(server)...), withHook(view.hook))

			ctx := metadata.NewOutgoingContext(testContext(t), tc.md)
			if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{Message: "hi"}); err != nil {
				t.Fatalf("Echo: %v", err)
			}
			span := only(t, tr.ended(t, 1), trace.SpanKindServer, echoMethod)
			parent := span.Parent()
			if isChild := parent.IsValid(); isChild != tc.wantChild {
				t.Fatalf("span parent %v: child = %v, want %v", parent, isChild, tc.wantChild)
			}
			if tc.wantChild && (parent.TraceID().String() != callerTraceID || parent.SpanID().String() != callerSpanID) {
				t.Errorf("span parent %v, want %s/%s", parent, callerTraceID, callerSpanID)
			}
			if got := span.SpanContext().TraceState().String(); got != tc.wantState {
				t.Errorf("trace state %q, want %q", got, tc.wantState)
			}
			want := tc.wantBaggage
			if want == nil {
				want = map[string]string{}
			}
			if diff := cmp.Diff(want, view.last(t).baggage); diff != "" {
				t.Errorf("handler baggage (-want +got):\n%s", diff)
			}
			if got, wantAttr := attrs(span.Attributes())["baggage.user"], want["user"]; got != wantAttr {
				t.Errorf("baggage.user attribute %q, want %q", got, wantAttr)
			}
		})
	}
}

// TestOutgoingBaggageKeepsToTheW3CLimits: whatever baggage the caller's context holds (built
// in process, where otel does not bound it) or its outgoing metadata already carries, the
// server receives at most 64 members in at most 8192 bytes, whole members only.
func TestOutgoingBaggageKeepsToTheW3CLimits(t *testing.T) {
	big := strings.Repeat("x", 9000)
	for _, tc := range []struct {
		name string
		ctx  func(t *testing.T, ctx context.Context) context.Context
		want map[string]string
	}{
		{
			// SetMember copies the baggage: building 10,000 members would take minutes.
			name: "1,000 members in the context",
			ctx: func(t *testing.T, ctx context.Context) context.Context {
				kv := make([]string, 0, 2*1000)
				for i := range 1000 {
					kv = append(kv, "m"+pad4(i), "v")
				}
				return withUnboundedBaggage(t, ctx, kv...)
			},
			want: memberMap(64),
		},
		{
			name: "a member larger than the limit is dropped whole",
			ctx: func(t *testing.T, ctx context.Context) context.Context {
				return withUnboundedBaggage(t, ctx, "big", big, "user", "alice")
			},
			want: map[string]string{"user": "alice"},
		},
		{
			name: "oversized baggage already in the outgoing metadata",
			ctx: func(_ *testing.T, ctx context.Context) context.Context {
				return metadata.NewOutgoingContext(ctx, metadata.Pairs("baggage", "big="+big, "baggage", members(100, ",")))
			},
			want: memberMap(64),
		},
		{
			name: "context baggage replaces the outgoing metadata's",
			ctx: func(t *testing.T, ctx context.Context) context.Context {
				ctx = metadata.NewOutgoingContext(ctx, metadata.Pairs("baggage", "big="+big, "x-other", "kept"))
				return withUnboundedBaggage(t, ctx, "user", "alice")
			},
			want: map[string]string{"user": "alice"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTraces(t)
			var sent metadata.MD
			var view handlerView
			h := startTraced(t, tr, nil, nil, withHook(func(ctx context.Context, method, msg string) (context.Context, func(error)) {
				sent, _ = metadata.FromIncomingContext(ctx)
				return view.hook(ctx, method, msg)
			}))
			if _, err := h.Demo().Echo(tc.ctx(t, testContext(t)), &demov1.EchoRequest{}); err != nil {
				t.Fatalf("Echo: %v", err)
			}
			values := sent.Get("baggage")
			joined := strings.Join(values, ",")
			if len(values) != 1 || len(joined) > 8192 || strings.Count(joined, ",") >= 64 {
				t.Errorf("server received %d baggage values, %d bytes, %d members; want 1 value within 8192 bytes and 64 members",
					len(values), len(joined), strings.Count(joined, ",")+1)
			}
			if diff := cmp.Diff(tc.want, view.last(t).baggage); diff != "" {
				t.Errorf("handler baggage (-want +got):\n%s", diff)
			}
		})
	}
}

// keysPropagator reads every key the carrier lists, as propagators with prefixed keys do
// (Jaeger's uberctx-, OpenTracing's ot-baggage-).
type keysPropagator struct {
	propagation.TextMapPropagator
	seen      map[string]string
	binaryGet *string // what Get("traceparent-bin") returned
}

func (p keysPropagator) Extract(ctx context.Context, c propagation.TextMapCarrier) context.Context {
	for _, k := range c.Keys() {
		p.seen[k] = c.Get(k)
	}
	*p.binaryGet = c.Get("traceparent-bin")
	return ctx
}

func TestBinaryKeysAreInvisibleToPropagators(t *testing.T) {
	tr := newTraces(t)
	binaryGet := "not called"
	prop := keysPropagator{TextMapPropagator: propagation.TraceContext{}, seen: map[string]string{}, binaryGet: &binaryGet}
	server := tracing.NewServer(tracing.WithTracerProvider(tr), tracing.WithPropagators(prop))
	h := testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(server)...))
	ctx := metadata.NewOutgoingContext(testContext(t), metadata.Pairs(
		"uberctx-user", "alice", "uberctx-token-bin", "\x00\x01", "traceparent-bin", "\x02"))
	if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	tr.ended(t, 1)
	if prop.seen["uberctx-user"] != "alice" || binaryGet != "" {
		t.Errorf("propagator saw uberctx-user %q and traceparent-bin %q, want alice and nothing",
			prop.seen["uberctx-user"], binaryGet)
	}
	for k := range prop.seen {
		if strings.HasSuffix(k, "-bin") {
			t.Errorf("propagator saw the binary key %q", k)
		}
	}
}

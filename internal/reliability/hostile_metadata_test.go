package reliability_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// The W3C example trace context.
const callerTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

// The baggage limits: the W3C's (https://www.w3.org/TR/baggage/#limits) and grpcobs', which
// keeps fewer members than the W3C allows (interceptors/tracing/limits.go).
const (
	w3cMaxBaggageBytes   = 8192
	w3cMaxBaggageMembers = 180
	maxBaggageMembers    = 64
)

// TestHostileMetadataThroughTheWholeStack sends, from a peer without interceptors, what an
// attacker or a broken peer might, to a server with the whole stack whose handler calls
// onwards, forwarding the incoming metadata as careless proxies do, through a client with the
// whole stack. Every call succeeds; only valid baggage within the limits reaches the handler,
// its span and its log line; every log line is valid JSON and every span string valid UTF-8;
// and the onward call carries one baggage header, within the limits, whatever came in.
func TestHostileMetadataThroughTheWholeStack(t *testing.T) {
	manyKeys := metadata.MD{}
	for i := range 5000 {
		manyKeys["x-key-"+pad4(i)] = []string{"v" + strconv.Itoa(i)}
	}
	for _, tc := range []struct {
		name        string
		md          metadata.MD
		wantBaggage map[string]string
		// wantOnward is the baggage the onward call carries, member by member.
		wantOnward map[string]string
		wantLogged map[string]string // allowlisted metadata fields of the server's line
	}{
		{
			name:        "1 MB baggage",
			md:          metadata.Pairs("traceparent", callerTraceparent, "baggage", "user="+strings.Repeat("a", 1<<20)),
			wantBaggage: map[string]string{},
			wantOnward:  map[string]string{},
		},
		{
			name:        "10,000 baggage members in one value",
			md:          metadata.Pairs("traceparent", callerTraceparent, "baggage", baggageMembers(10000)),
			wantBaggage: map[string]string{},
			wantOnward:  firstMembers(maxBaggageMembers),
		},
		{
			name:        "10,000 baggage values",
			md:          metadata.MD{"traceparent": {callerTraceparent}, "baggage": strings.Split(baggageMembers(10000), ",")},
			wantBaggage: map[string]string{},
			wantOnward:  firstMembers(maxBaggageMembers),
		},
		{
			name:        "5,000 metadata keys",
			md:          metadata.Join(manyKeys, metadata.Pairs("traceparent", callerTraceparent, "baggage", "user=alice")),
			wantBaggage: map[string]string{"user": "alice"},
			wantOnward:  map[string]string{"user": "alice"},
			wantLogged:  map[string]string{"grpc.request.metadata.x-key-0001": "v1"},
		},
		{
			name: "binary values and percent-encoded invalid UTF-8",
			md: metadata.Pairs("x-data-bin", "\xff\xfe\x00\x01", "traceparent-bin", "\x00\x01", "baggage-bin", "user=mallory",
				"baggage", "user=%FF%FEok,good=%E2%9C%93"),
			wantBaggage: map[string]string{"user": "\uFFFD\uFFFDok", "good": "\u2713"},
			wantOnward:  map[string]string{"user": "\uFFFD\uFFFDok", "good": "\u2713"},
		},
		{
			name:        "1 MB value of a key nobody reads",
			md:          metadata.Pairs("x-big", strings.Repeat("b", 1<<20), "baggage", "user=alice"),
			wantBaggage: map[string]string{"user": "alice"},
			wantOnward:  map[string]string{"user": "alice"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			onward := onwardCalls{forward: true}
			s := startStack(t, stackConfig{
				serverTracing: []tracing.Option{tracing.WithBaggageAttributes("user"), tracing.WithMessageEvents()},
				clientTracing: []tracing.Option{tracing.WithBaggageAttributes("user"), tracing.WithMessageEvents()},
				serverLogging: []logging.Option{logging.WithBaggageFields("user"), logging.WithMetadataFields("x-key-0001")},
				clientLogging: []logging.Option{logging.WithBaggageFields("user")},
				hook:          onward.hook,
			})
			onward.client = s.Demo()

			ctx := metadata.NewOutgoingContext(testContext(t), tc.md)
			if _, err := s.RawDemo().Echo(ctx, &demov1.EchoRequest{Message: hostileMessage}); err != nil {
				t.Fatalf("Echo: %v", err)
			}
			handler, leaf := onward.seen(t)
			if diff := cmp.Diff(tc.wantBaggage, handler); diff != "" {
				t.Errorf("baggage in the handler (-want +got):\n%s", diff)
			}
			if len(leaf) != 1 && len(tc.wantOnward) > 0 || len(leaf) > 1 {
				t.Fatalf("the onward call carried %d baggage values, want one", len(leaf))
			}
			sent := strings.Join(leaf, ",")
			if members := len(strings.Split(sent, ",")); len(sent) > w3cMaxBaggageBytes || members > maxBaggageMembers {
				t.Errorf("the onward call carried %d bytes of baggage in %d members, want at most %d bytes and %d members (the W3C allows %d)",
					len(sent), members, w3cMaxBaggageBytes, maxBaggageMembers, w3cMaxBaggageMembers)
			}
			if diff := cmp.Diff(tc.wantOnward, parseBaggage(t, sent)); diff != "" {
				t.Errorf("baggage of the onward call (-want +got):\n%s", diff)
			}

			// The hostile call and the onward call, on each side.
			spans := s.ended(t, 3)
			hostile := checkHostileSpans(t, spans)
			if got, want := attrs(hostile)["baggage.user"], tc.wantBaggage["user"]; got != want {
				t.Errorf("the hostile call's span has baggage.user %q, want %q", got, want)
			}
			lines := finishLines(t, s.ServerLog)
			if len(lines) != 2 || len(finishLines(t, s.ClientLog)) != 1 {
				t.Fatalf("%d server and %d client finish lines, want 2 and 1:\n%s\n%s", len(lines), len(finishLines(t, s.ClientLog)), s.ServerLog.Text(), s.ClientLog.Text())
			}
			logged := lines[1] // the hostile call ends after its onward call
			if got, want := logged["baggage.user"], tc.wantBaggage["user"]; want != "" && got != want || want == "" && got != nil {
				t.Errorf("the hostile call's log line has baggage.user %v, want %q", got, want)
			}
			for field, want := range tc.wantLogged {
				if got := logged[field]; got != want {
					t.Errorf("the hostile call's log line has %s = %v, want %q", field, got, want)
				}
			}
			const maxLine = 16 << 10
			for _, line := range s.ServerLog.Lines() {
				if len(line) > maxLine {
					t.Errorf("a server log line has %d bytes, want at most %d: %.200s…", len(line), maxLine, line)
				}
			}
			if got := values(t, s.Registry, "grpc_server_handled_total")[labelsKey(map[string]string{
				"grpc_type": "unary", "grpc_service": demoService, "grpc_method": "Echo", "grpc_code": "OK",
			})]; got != 2 {
				t.Errorf("grpc_server_handled_total of Echo OK = %v, want 2", got)
			}
		})
	}
}

// checkHostileSpans checks that every span string is valid UTF-8 and returns the hostile
// call's server span: the one without a CLIENT span of ours as its parent.
func checkHostileSpans(t *testing.T, spans []sdktrace.ReadOnlySpan) sdktrace.ReadOnlySpan {
	t.Helper()
	var client trace.SpanContext
	for _, s := range spans {
		if s.SpanKind() == trace.SpanKindClient {
			client = s.SpanContext()
		}
		for _, where := range recorded(s) {
			if !utf8.ValidString(where) {
				t.Errorf("%v span records a string that is not valid UTF-8: %q", s.SpanKind(), where)
			}
		}
	}
	for _, s := range ofKind(spans, trace.SpanKindServer) {
		if s.Parent().SpanID() != client.SpanID() {
			return s
		}
	}
	t.Fatalf("no server span for the hostile call among %v", spanNames(spans))
	return nil
}

// TestMetadataPastTheHeaderLimitFailsCleanly sends 5,000 metadata keys of 3.5 KB each, 17.5 MB
// in all: past grpc-go's default limit of 16 MB on a header list. The server does not take
// the call: the connection closes (x/net's HTTP/2 framer stops reading a header block that far
// over the limit), the caller gets UNAVAILABLE, and the client stack reports exactly that
// call, once. Nothing panics, and the next call, on a new connection, succeeds.
func TestMetadataPastTheHeaderLimitFailsCleanly(t *testing.T) {
	s := startStack(t, stackConfig{})
	md := metadata.MD{}
	for i := range 5000 {
		md["x-key-"+pad4(i)] = []string{strings.Repeat("~", 3500)}
	}
	ctx := metadata.NewOutgoingContext(testContext(t), md)
	_, err := s.Demo().Echo(ctx, &demov1.EchoRequest{})
	if status.Code(err) != codes.Unavailable || status.Convert(err).Message() == "" {
		t.Fatalf("Echo with 17.5 MB of metadata: %v, want UNAVAILABLE with a message", err)
	}
	t.Logf("the caller got: %v", err)

	clientSpans := ofKind(s.ended(t, 1), trace.SpanKindClient)
	if len(clientSpans) != 1 || attrs(clientSpans[0])["rpc.response.status_code"] != "UNAVAILABLE" {
		t.Errorf("spans %v, want one client span with UNAVAILABLE", spanNames(s.Spans.Ended()))
	}
	if lines := finishLines(t, s.ClientLog); len(lines) != 1 || lines[0]["grpc.code"] != "Unavailable" {
		t.Errorf("client log %q, want one finish line with Unavailable", s.ClientLog.Text())
	}
	if got := nonZero(t, s.Registry, "grpc_client_handled_total"); len(got) != 1 || got[labelsKey(map[string]string{
		"grpc_type": "unary", "grpc_service": demoService, "grpc_method": "Echo", "grpc_code": "Unavailable",
	})] != 1 {
		t.Errorf("grpc_client_handled_total = %v, want one Echo Unavailable", got)
	}
	if got := nonZero(t, s.Registry, "grpc_server_started_total"); len(got) != 0 || s.ServerLog.Count() != 0 {
		t.Errorf("the server counted %v and logged %q for a call it never took", got, s.ServerLog.Text())
	}

	if _, err := s.Demo().Echo(testContext(t), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("the next Echo: %v", err)
	}
}

// TestTextMetadataThatIsNotPrintableASCIIIsRefusedBeforeSending: gRPC refuses to send a text
// metadata value with invalid UTF-8 or control characters; the client stack reports the
// refused call like any other, and the server never sees it.
func TestTextMetadataThatIsNotPrintableASCIIIsRefusedBeforeSending(t *testing.T) {
	s := startStack(t, stackConfig{clientLogging: []logging.Option{logging.WithMetadataFields("x-bad")}})
	for _, value := range []string{"\xff\xfe", "line\nbreak", "nul\x00"} {
		ctx := metadata.AppendToOutgoingContext(testContext(t), "x-bad", value)
		if _, err := s.Demo().Echo(ctx, &demov1.EchoRequest{}); status.Code(err) != codes.Internal {
			t.Errorf("Echo with x-bad %q: %v, want INTERNAL", value, err)
		}
	}
	lines := finishLines(t, s.ClientLog)
	if len(lines) != 3 {
		t.Fatalf("%d client finish lines, want 3: %s", len(lines), s.ClientLog.Text())
	}
	for _, line := range lines {
		if line["grpc.code"] != "Internal" {
			t.Errorf("client line with code %v, want Internal", line["grpc.code"])
		}
	}
	if got := len(ofKind(s.ended(t, 3), trace.SpanKindClient)); got != 3 {
		t.Errorf("%d client spans, want 3", got)
	}
	if s.ServerLog.Count() != 0 {
		t.Errorf("the server logged calls that were never sent: %s", s.ServerLog.Text())
	}
}

// TestAllowlistedMetadataIsLoggedWithinALimit: a caller may send up to 16 MB of metadata, but
// does not decide the size of the server's log lines: the value of an allowlisted key
// (x-request-id here, 1 MB) is logged cut to 256 bytes and marked, as
// logging.WithMetadataFields documents.
func TestAllowlistedMetadataIsLoggedWithinALimit(t *testing.T) {
	s := startStack(t, stackConfig{serverLogging: []logging.Option{logging.WithMetadataFields("x-request-id")}})
	ctx := metadata.AppendToOutgoingContext(testContext(t), "x-request-id", strings.Repeat("r", 1<<20))
	if _, err := s.RawDemo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	lines := finishLines(t, s.ServerLog)
	if len(lines) != 1 {
		t.Fatalf("%d server finish lines, want 1", len(lines))
	}
	if got, want := lines[0]["grpc.request.metadata.x-request-id"], strings.Repeat("r", 256)+"…(truncated)"; got != want {
		t.Errorf("x-request-id logged as %.300v, want %q", got, want)
	}
	if n := len(s.ServerLog.Lines()[0]); n > 2<<10 {
		t.Errorf("the server's line has %d bytes, want at most 2 KB", n)
	}
}

// hostileMessage marks the call whose handler records what it sees and calls onwards.
const hostileMessage = "hostile"

// onwardCalls is a demo hook: the handler of the hostile call records its baggage and span,
// and calls Echo onwards through client, forwarding its incoming metadata if forward is set
// (as careless proxies do); the onward call's handler records the baggage header it received.
type onwardCalls struct {
	client  demov1.DemoServiceClient
	forward bool

	mu          sync.Mutex
	handler     map[string]string
	handlerSpan trace.SpanContext
	leaf        []string
	err         error
	done        bool
}

func (o *onwardCalls) hook(ctx context.Context, _, message string) (context.Context, func(error)) {
	switch message {
	case hostileMessage:
		out := ctx
		if o.forward {
			md, _ := metadata.FromIncomingContext(ctx)
			out = metadata.NewOutgoingContext(ctx, md.Copy())
		}
		_, err := o.client.Echo(out, &demov1.EchoRequest{Message: "leaf"})
		o.mu.Lock()
		o.handler, o.handlerSpan = baggageMap(baggage.FromContext(ctx)), trace.SpanContextFromContext(ctx)
		o.err, o.done = err, true
		o.mu.Unlock()
	case "leaf":
		o.mu.Lock()
		o.leaf = metadata.ValueFromIncomingContext(ctx, "baggage")
		o.mu.Unlock()
	}
	return ctx, func(error) {}
}

// seen returns the hostile handler's baggage and the onward call's baggage header values.
func (o *onwardCalls) seen(t *testing.T) (handler map[string]string, leaf []string) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.done || o.err != nil {
		t.Fatalf("the onward call did not succeed: ran %v, error %v", o.done, o.err)
	}
	return o.handler, o.leaf
}

func baggageMap(b baggage.Baggage) map[string]string {
	m := make(map[string]string, b.Len())
	for _, member := range b.Members() {
		m[member.Key()] = member.Value()
	}
	return m
}

// parseBaggage decodes a baggage header, as the next hop would.
func parseBaggage(t *testing.T, header string) map[string]string {
	t.Helper()
	b, err := baggage.Parse(header)
	if err != nil {
		t.Fatalf("the onward call's baggage %q does not parse: %v", header, err)
	}
	return baggageMap(b)
}

// baggageMembers returns n members "m0000=v", … joined by commas.
func baggageMembers(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "m" + pad4(i) + "=v"
	}
	return strings.Join(parts, ",")
}

// firstMembers is the first n of baggageMembers, as a map: the members limitBaggage keeps, in
// key order.
func firstMembers(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m["m"+pad4(i)] = "v"
	}
	return m
}

func pad4(i int) string {
	s := strconv.Itoa(i)
	return strings.Repeat("0", max(0, 4-len(s))) + s
}

package tracing_test

import (
	"context"
	"net"
	"sort"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

func TestClientServerCallSharesTraceAndBaggage(t *testing.T) {
	tr := newTraces(t)
	var view handlerView
	h := startTraced(t, tr, nil, nil, withHook(view.hook))

	ctx, root := tr.root(testsrv.WithBaggage(t, testContext(t), "user", "alice", "tenant", "acme"))
	if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{Message: "hi"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	root.End()

	spans := tr.ended(t, 3)
	client := only(t, spans, trace.SpanKindClient, echoMethod)
	server := only(t, spans, trace.SpanKindServer, echoMethod)
	rootSC := root.SpanContext()

	if client.Parent().SpanID() != rootSC.SpanID() || client.SpanContext().TraceID() != rootSC.TraceID() {
		t.Errorf("client span parent %v, want the caller's span %v", client.Parent(), rootSC)
	}
	if server.Parent().SpanID() != client.SpanContext().SpanID() || !server.Parent().IsRemote() {
		t.Errorf("server span parent %v, want the remote client span %v", server.Parent(), client.SpanContext())
	}
	if server.SpanContext().TraceID() != rootSC.TraceID() {
		t.Errorf("server trace %v, want %v", server.SpanContext().TraceID(), rootSC.TraceID())
	}
	seen := view.last(t)
	if !seen.span.Equal(server.SpanContext()) {
		t.Errorf("handler context span %v, want the server span %v", seen.span, server.SpanContext())
	}
	if diff := cmp.Diff(map[string]string{"user": "alice", "tenant": "acme"}, seen.baggage); diff != "" {
		t.Errorf("handler baggage (-want +got):\n%s", diff)
	}

	wantClient := map[string]string{
		"rpc.system.name":          "grpc",
		"rpc.method":               echoMethod,
		"rpc.response.status_code": "OK",
		"server.address":           "bufnet", // the harness dials passthrough:///bufnet
	}
	if diff := cmp.Diff(wantClient, attrs(client.Attributes())); diff != "" {
		t.Errorf("client span attributes (-want +got):\n%s", diff)
	}
	wantServer := map[string]string{
		"rpc.system.name":          "grpc",
		"rpc.method":               echoMethod,
		"rpc.response.status_code": "OK",
		"network.peer.address":     "bufconn",
		"server.address":           "bufconn",
	}
	if diff := cmp.Diff(wantServer, attrs(server.Attributes())); diff != "" {
		t.Errorf("server span attributes (-want +got):\n%s", diff)
	}
}

func TestServerSpanHasPeerAddressesOverTCP(t *testing.T) {
	tr := newTraces(t)
	h := startTraced(t, tr, nil, nil, testsrv.WithTCP())

	var p peer.Peer
	if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{}, grpc.Peer(&p)); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	server := only(t, tr.ended(t, 2), trace.SpanKindServer, echoMethod)

	// The client's local address is the server's peer; the server's address is its own.
	clientHost, clientPort, err := net.SplitHostPort(p.LocalAddr.String())
	if err != nil {
		t.Fatalf("client local address %v: %v", p.LocalAddr, err)
	}
	serverHost, serverPort, err := net.SplitHostPort(h.Addr)
	if err != nil {
		t.Fatalf("server address %q: %v", h.Addr, err)
	}
	want := map[string]string{
		"rpc.system.name":          "grpc",
		"rpc.method":               echoMethod,
		"rpc.response.status_code": "OK",
		"network.peer.address":     clientHost,
		"network.peer.port":        clientPort,
		"server.address":           serverHost,
		"server.port":              serverPort,
	}
	if diff := cmp.Diff(want, attrs(server.Attributes())); diff != "" {
		t.Errorf("server span attributes (-want +got):\n%s", diff)
	}
	if _, err := strconv.Atoi(clientPort); err != nil || clientPort == "0" {
		t.Errorf("client port %q is not a real port", clientPort)
	}
}

// TestChainCarriesTraceAndBaggageAcrossEveryHop: client -> front -> back, where front's
// handler calls back with its own context.
func TestChainCarriesTraceAndBaggageAcrossEveryHop(t *testing.T) {
	tr := newTraces(t)
	var backView handlerView
	back := startTraced(t, tr, nil, nil, withHook(backView.hook))
	front := startTraced(t, tr, nil, nil, withHook(func(ctx context.Context, _, msg string) (context.Context, func(error)) {
		_, err := back.Demo().Echo(ctx, &demov1.EchoRequest{Message: msg})
		if err != nil {
			t.Errorf("onward Echo: %v", err)
		}
		return ctx, func(error) {}
	}))

	ctx, root := tr.root(testsrv.WithBaggage(t, testContext(t), "user", "alice"))
	if _, err := front.Demo().Echo(ctx, &demov1.EchoRequest{Message: "hi"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	root.End()

	spans := tr.ended(t, 5)
	traceID := root.SpanContext().TraceID()
	for _, s := range spans {
		if s.SpanContext().TraceID() != traceID {
			t.Errorf("span %v %q is in trace %v, want %v", s.SpanKind(), s.Name(), s.SpanContext().TraceID(), traceID)
		}
	}
	// Parent links, in call order: root -> client -> front server -> client -> back server.
	var clients, servers []string
	parentOf := map[trace.SpanID]trace.SpanID{}
	kinds := map[trace.SpanID]trace.SpanKind{}
	for _, s := range spans {
		parentOf[s.SpanContext().SpanID()] = s.Parent().SpanID()
		kinds[s.SpanContext().SpanID()] = s.SpanKind()
		switch s.SpanKind() {
		case trace.SpanKindClient:
			clients = append(clients, s.Name())
		case trace.SpanKindServer:
			servers = append(servers, s.Name())
		}
	}
	if len(clients) != 2 || len(servers) != 2 {
		t.Fatalf("spans %v, want two client and two server spans", spanNames(spans))
	}
	backSpan := backView.last(t).span.SpanID()
	var chain []trace.SpanKind
	for id := backSpan; id.IsValid(); id = parentOf[id] {
		chain = append(chain, kinds[id])
	}
	wantChain := []trace.SpanKind{trace.SpanKindServer, trace.SpanKindClient, trace.SpanKindServer, trace.SpanKindClient, trace.SpanKindInternal}
	if diff := cmp.Diff(wantChain, chain); diff != "" {
		t.Errorf("ancestry of the back server span, nearest first (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"user": "alice"}, backView.last(t).baggage); diff != "" {
		t.Errorf("baggage two hops away (-want +got):\n%s", diff)
	}
}

func TestClientKeepsOutgoingMetadataAndReplacesStaleTraceContext(t *testing.T) {
	tr := newTraces(t)
	var got metadata.MD
	h := startTraced(t, tr, nil, nil, withHook(func(ctx context.Context, _, _ string) (context.Context, func(error)) {
		got, _ = metadata.FromIncomingContext(ctx)
		return ctx, func(error) {}
	}))

	stale := "00-0102030405060708090a0b0c0d0e0f10-0102030405060708-01"
	ctx := metadata.NewOutgoingContext(testContext(t), metadata.Pairs("x-request-id", "r1", "traceparent", stale))
	ctx = metadata.AppendToOutgoingContext(ctx, "x-tenant", "acme")
	if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	client := only(t, tr.ended(t, 2), trace.SpanKindClient, echoMethod)
	sc := client.SpanContext()
	want := map[string][]string{
		"x-request-id": {"r1"},
		"x-tenant":     {"acme"},
		"traceparent":  {"00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-01"},
	}
	for k, v := range want {
		if diff := cmp.Diff(v, got.Get(k)); diff != "" {
			t.Errorf("server saw %s (-want +got):\n%s", k, diff)
		}
	}
}

func TestFilteredHopStillPropagates(t *testing.T) {
	notEcho := filter.Not(filter.Methods("/" + echoMethod))
	for _, tc := range []struct {
		name                   string
		serverOpts, clientOpts []tracing.Option
		wantSpans              []string
	}{
		{
			name:       "server filters",
			serverOpts: []tracing.Option{tracing.WithFilter(notEcho)},
			wantSpans:  []string{"client " + echoMethod, "internal root"},
		},
		{
			name:       "client filters",
			clientOpts: []tracing.Option{tracing.WithFilter(notEcho)},
			wantSpans:  []string{"internal root", "server " + echoMethod},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTraces(t)
			var view handlerView
			h := startTraced(t, tr, tc.serverOpts, tc.clientOpts, withHook(view.hook))
			ctx, root := tr.root(testsrv.WithBaggage(t, testContext(t), "user", "alice"))
			if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
				t.Fatalf("Echo: %v", err)
			}
			root.End()

			spans := tr.ended(t, len(tc.wantSpans))
			names := spanNames(spans)
			sort.Strings(names)
			if diff := cmp.Diff(tc.wantSpans, names); diff != "" {
				t.Errorf("spans (-want +got):\n%s", diff)
			}
			seen := view.last(t)
			if seen.span.TraceID() != root.SpanContext().TraceID() {
				t.Errorf("handler trace %v, want the caller's %v", seen.span.TraceID(), root.SpanContext().TraceID())
			}
			if diff := cmp.Diff(map[string]string{"user": "alice"}, seen.baggage); diff != "" {
				t.Errorf("handler baggage (-want +got):\n%s", diff)
			}
			// The filtered hop leaves no gap: the next span up is the one before it.
			if tc.clientOpts != nil {
				if got := only(t, spans, trace.SpanKindServer, echoMethod).Parent().SpanID(); got != root.SpanContext().SpanID() {
					t.Errorf("server span parent %v, want the caller's span %v", got, root.SpanContext().SpanID())
				}
			} else {
				client := only(t, spans, trace.SpanKindClient, echoMethod).SpanContext()
				if seen.span.SpanID() != client.SpanID() || !seen.span.IsRemote() {
					t.Errorf("handler span %v, want the remote client span %v", seen.span, client)
				}
			}
		})
	}
}

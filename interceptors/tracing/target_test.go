package tracing_test

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// A client span carries its connection's target as server.address and server.port, on every
// call kind; a server span does not take it for its own.
func TestClientSpansCarryTheConnectionsTarget(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []testsrv.Option
	}{
		{name: "bufconn"},
		{name: "tcp", opts: []testsrv.Option{testsrv.WithTCP()}},
	} {
		for _, kind := range callsOfEachKind {
			t.Run(tc.name+"/"+kind.method, func(t *testing.T) {
				tr := newTraces(t)
				h := startTraced(t, tr, nil, nil, tc.opts...)
				kind.run(t, testContext(t), h.Demo())

				wantAddress, wantPort := "bufnet", ""
				if tc.name == "tcp" {
					host, port, err := net.SplitHostPort(h.Addr)
					if err != nil {
						t.Fatal(err)
					}
					wantAddress, wantPort = host, port
				}
				spans := tr.ended(t, 2)
				client := attrs(only(t, spans, trace.SpanKindClient, kind.method).Attributes())
				if client["server.address"] != wantAddress || client["server.port"] != wantPort {
					t.Errorf("client span server.address %q, server.port %q; want %q, %q",
						client["server.address"], client["server.port"], wantAddress, wantPort)
				}
				server := attrs(only(t, spans, trace.SpanKindServer, kind.method).Attributes())
				if tc.name == "bufconn" && server["server.address"] == wantAddress {
					t.Errorf("server span server.address %q is the client's target", server["server.address"])
				}
			})
		}
	}
}

// samplerSpy samples everything and keeps the attributes each client span started with.
type samplerSpy struct {
	mu    sync.Mutex
	start []map[string]string
}

func (s *samplerSpy) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	if p.Kind == trace.SpanKindClient {
		s.mu.Lock()
		s.start = append(s.start, attrs(p.Attributes))
		s.mu.Unlock()
	}
	return sdktrace.AlwaysSample().ShouldSample(p)
}

func (s *samplerSpy) Description() string { return "samplerSpy" }

// server.address and server.port are start attributes, which samplers see, as the semantic
// conventions ask.
func TestSamplersSeeTheClientSpansTarget(t *testing.T) {
	spy := &samplerSpy{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(spy))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	client := tracing.NewClient(tracing.WithTracerProvider(tp))
	h := testsrv.Start(t, testsrv.WithTCP(), testsrv.WithDialOptions(interceptors.DialOptions(client)...))
	if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{Message: "hi"}); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(h.Addr)
	spy.mu.Lock()
	defer spy.mu.Unlock()
	if len(spy.start) != 1 {
		t.Fatalf("sampler saw %d client spans, want 1", len(spy.start))
	}
	if got := spy.start[0]; got["server.address"] != "127.0.0.1" || got["server.port"] != port || got["rpc.method"] == "" {
		t.Errorf("sampler saw %v, want rpc.method, server.address 127.0.0.1 and server.port %s", got, port)
	}
	if _, err := strconv.Atoi(port); err != nil {
		t.Fatalf("harness port %q: %v", port, err)
	}
}

// The connection attributes are set when the server span starts, so a handler that sets one
// of those keys itself has the last word.
func TestHandlerCanOverrideServerSpanConnectionAttributes(t *testing.T) {
	tr := newTraces(t)
	hook := func(ctx context.Context, _, _ string) (context.Context, func(error)) {
		trace.SpanFromContext(ctx).SetAttributes(semconv.ServerAddress("api.example.com"))
		return ctx, func(error) {}
	}
	h := startTraced(t, tr, nil, nil, withHook(hook))
	if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{Message: "hi"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	server := attrs(only(t, tr.ended(t, 2), trace.SpanKindServer, echoMethod).Attributes())
	if server["server.address"] != "api.example.com" {
		t.Errorf("server span server.address %q, want the handler's api.example.com", server["server.address"])
	}
}

package tracing_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	otelcodes "go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// call runs one call of a kind to completion.
type call func(t *testing.T, ctx context.Context, c demov1.DemoServiceClient)

var callsOfEachKind = []struct {
	method string
	run    call
}{
	{echoMethod, func(t *testing.T, ctx context.Context, c demov1.DemoServiceClient) {
		if _, err := c.Echo(ctx, &demov1.EchoRequest{Message: "a"}); err != nil {
			t.Fatalf("Echo: %v", err)
		}
	}},
	{serverStreamMethod, func(t *testing.T, ctx context.Context, c demov1.DemoServiceClient) {
		s, err := c.ServerStream(ctx, &demov1.ServerStreamRequest{Message: "a", Count: 3})
		if err != nil {
			t.Fatalf("ServerStream: %v", err)
		}
		for n := 0; ; n++ {
			if _, err := s.Recv(); errors.Is(err, io.EOF) {
				if n != 3 {
					t.Fatalf("ServerStream gave %d messages, want 3", n)
				}
				return
			} else if err != nil {
				t.Fatalf("ServerStream Recv: %v", err)
			}
		}
	}},
	{clientStreamMethod, func(t *testing.T, ctx context.Context, c demov1.DemoServiceClient) {
		s, err := c.ClientStream(ctx)
		if err != nil {
			t.Fatalf("ClientStream: %v", err)
		}
		for _, m := range []string{"a", "b", "c"} {
			if err := s.Send(&demov1.ClientStreamRequest{Message: m}); err != nil {
				t.Fatalf("ClientStream Send: %v", err)
			}
		}
		if _, err := s.CloseAndRecv(); err != nil {
			t.Fatalf("ClientStream CloseAndRecv: %v", err)
		}
	}},
	{chatMethod, func(t *testing.T, ctx context.Context, c demov1.DemoServiceClient) {
		s, err := c.Chat(ctx)
		if err != nil {
			t.Fatalf("Chat: %v", err)
		}
		for _, m := range []string{"a", "b", "c"} {
			if err := s.Send(&demov1.ChatRequest{Message: m}); err != nil {
				t.Fatalf("Chat Send: %v", err)
			}
			if _, err := s.Recv(); err != nil {
				t.Fatalf("Chat Recv: %v", err)
			}
		}
		if err := s.CloseSend(); err != nil {
			t.Fatalf("Chat CloseSend: %v", err)
		}
		if _, err := s.Recv(); !errors.Is(err, io.EOF) {
			t.Fatalf("Chat final Recv: %v, want EOF", err)
		}
	}},
}

func TestEveryCallKindGetsAClientAndAServerSpan(t *testing.T) {
	for _, kind := range callsOfEachKind {
		t.Run(kind.method, func(t *testing.T) {
			tr := newTraces(t)
			h := startTraced(t, tr, nil, nil)
			kind.run(t, testContext(t), h.Demo())

			spans := tr.ended(t, 2)
			client := only(t, spans, trace.SpanKindClient, kind.method)
			server := only(t, spans, trace.SpanKindServer, kind.method)
			if server.Parent().SpanID() != client.SpanContext().SpanID() {
				t.Errorf("server span parent %v, want the client span %v", server.Parent().SpanID(), client.SpanContext().SpanID())
			}
			for _, s := range []sdktrace.ReadOnlySpan{client, server} {
				got := attrs(s.Attributes())
				if got["rpc.method"] != kind.method || got["rpc.response.status_code"] != "OK" || s.Status().Code != otelcodes.Unset {
					t.Errorf("%v span: rpc.method %q, code %q, status %v; want %q, OK, Unset",
						s.SpanKind(), got["rpc.method"], got["rpc.response.status_code"], s.Status(), kind.method)
				}
				if len(s.Events()) != 0 {
					t.Errorf("%v span has %d events without WithMessageEvents", s.SpanKind(), len(s.Events()))
				}
			}
		})
	}
}

func TestServerStreamFailingAfterSomeMessages(t *testing.T) {
	tr := newTraces(t)
	h := startTraced(t, tr, nil, nil)
	s, err := h.Demo().ServerStream(testContext(t), &demov1.ServerStreamRequest{Count: 2, FailCode: int32(codes.DataLoss)})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	received := 0
	for {
		if _, err = s.Recv(); err != nil {
			break
		}
		received++
	}
	if received != 2 || status.Code(err) != codes.DataLoss {
		t.Fatalf("got %d messages then %v, want 2 then DataLoss", received, err)
	}
	want := sdktrace.Status{Code: otelcodes.Error, Description: "failure requested with fail_code 15"}
	for _, span := range tr.ended(t, 2) {
		if span.Status() != want || attrs(span.Attributes())["rpc.response.status_code"] != "DATA_LOSS" {
			t.Errorf("%v span: status %v, code %q; want %v, DATA_LOSS",
				span.SpanKind(), span.Status(), attrs(span.Attributes())["rpc.response.status_code"], want)
		}
	}
}

// endCounter wraps a tracer provider and counts how often each span is ended: the SDK ignores
// a second End, so the recorder alone cannot prove that a span ended exactly once.
type endCounter struct {
	trace.TracerProvider
	mu   sync.Mutex
	ends map[string]int // by span name
}

func (p *endCounter) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return countingTracer{Tracer: p.TracerProvider.Tracer(name, opts...), p: p}
}

func (p *endCounter) count(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ends[name]
}

type countingTracer struct {
	trace.Tracer
	p *endCounter
}

func (t countingTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	ctx, span := t.Tracer.Start(ctx, name, opts...)
	counted := &countingSpan{Span: span, name: name, p: t.p}
	return trace.ContextWithSpan(ctx, counted), counted
}

type countingSpan struct {
	trace.Span
	name string
	p    *endCounter
}

func (s *countingSpan) End(opts ...trace.SpanEndOption) {
	s.p.mu.Lock()
	s.p.ends[s.name]++
	s.p.mu.Unlock()
	s.Span.End(opts...)
}

func TestAbandonedClientStreamEndsItsSpanExactlyOnce(t *testing.T) {
	tr := newTraces(t)
	counter := &endCounter{TracerProvider: tr, ends: map[string]int{}}
	// Registered before the harness, so it runs after the harness stopped: nothing is left
	// that could end the span a second time.
	t.Cleanup(func() {
		if n := counter.count(chatMethod); n != 1 {
			t.Errorf("after the harness stopped, the client span had ended %d times, want 1", n)
		}
	})
	h := testsrv.Start(t,
		testsrv.WithServerOptions(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tr)))...),
		testsrv.WithDialOptions(interceptors.DialOptions(tracing.NewClient(tracing.WithTracerProvider(counter)))...),
	)

	ctx, cancel := context.WithCancel(testContext(t))
	s, err := h.Demo().Chat(ctx)
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if err := s.Send(&demov1.ChatRequest{Message: "hello"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	cancel() // and never read

	spans := tr.ended(t, 2)
	client := only(t, spans, trace.SpanKindClient, chatMethod)
	want := sdktrace.Status{Code: otelcodes.Error, Description: "context canceled"}
	if client.Status() != want || attrs(client.Attributes())["rpc.response.status_code"] != "CANCELLED" {
		t.Errorf("abandoned client span: status %v, code %q; want %v, CANCELLED",
			client.Status(), attrs(client.Attributes())["rpc.response.status_code"], want)
	}
	server := only(t, spans, trace.SpanKindServer, chatMethod)
	if server.Status().Code != otelcodes.Unset || attrs(server.Attributes())["rpc.response.status_code"] != "CANCELLED" {
		t.Errorf("server span of a cancelled call: status %v, code %q; want Unset, CANCELLED",
			server.Status(), attrs(server.Attributes())["rpc.response.status_code"])
	}
	if diff := cmp.Diff(1, counter.count(chatMethod)); diff != "" {
		t.Errorf("client span ends (-want +got):\n%s", diff)
	}
}

package tracing_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	otelcodes "go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// messageEvents lists a span's message events as "SENT 1 <size>".
func messageEvents(t *testing.T, span sdktrace.ReadOnlySpan) []string {
	t.Helper()
	var out []string
	for _, e := range span.Events() {
		if e.Name != "rpc.message" {
			t.Errorf("%v span has an event %q", span.SpanKind(), e.Name)
			continue
		}
		a := attrs(e.Attributes)
		out = append(out, a["rpc.message.type"]+" "+a["rpc.message.id"]+" "+a["rpc.message.uncompressed_size"])
	}
	return out
}

func sizeOf(m proto.Message) string { return strconv.Itoa(proto.Size(m)) }

func TestMessageEventsOnUnaryCalls(t *testing.T) {
	tr := newTraces(t)
	events := []tracing.Option{tracing.WithMessageEvents()}
	h := startTraced(t, tr, events, events)
	req := &demov1.EchoRequest{Message: "hello"}
	if _, err := h.Demo().Echo(testContext(t), req); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	resp := &demov1.EchoResponse{Message: "hello"}
	spans := tr.ended(t, 2)
	wantClient := []string{"SENT 1 " + sizeOf(req), "RECEIVED 1 " + sizeOf(resp)}
	if diff := cmp.Diff(wantClient, messageEvents(t, only(t, spans, trace.SpanKindClient, echoMethod))); diff != "" {
		t.Errorf("client events (-want +got):\n%s", diff)
	}
	wantServer := []string{"RECEIVED 1 " + sizeOf(req), "SENT 1 " + sizeOf(resp)}
	if diff := cmp.Diff(wantServer, messageEvents(t, only(t, spans, trace.SpanKindServer, echoMethod))); diff != "" {
		t.Errorf("server events (-want +got):\n%s", diff)
	}
}

func TestMessageEventsOnABidiStream(t *testing.T) {
	tr := newTraces(t)
	events := []tracing.Option{tracing.WithMessageEvents()}
	h := startTraced(t, tr, events, events)
	for _, kind := range callsOfEachKind {
		if kind.method == chatMethod {
			kind.run(t, testContext(t), h.Demo())
		}
	}
	spans := tr.ended(t, 2)
	var wantClient, wantServer []string
	for i, m := range []string{"a", "b", "c"} {
		n := strconv.Itoa(i + 1)
		req, resp := sizeOf(&demov1.ChatRequest{Message: m}), sizeOf(&demov1.ChatResponse{Message: m})
		wantClient = append(wantClient, "SENT "+n+" "+req, "RECEIVED "+n+" "+resp)
		wantServer = append(wantServer, "RECEIVED "+n+" "+req, "SENT "+n+" "+resp)
	}
	// The final Recv on each side returns io.EOF: that is no message.
	if diff := cmp.Diff(wantClient, messageEvents(t, only(t, spans, trace.SpanKindClient, chatMethod))); diff != "" {
		t.Errorf("client events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantServer, messageEvents(t, only(t, spans, trace.SpanKindServer, chatMethod))); diff != "" {
		t.Errorf("server events (-want +got):\n%s", diff)
	}
}

// panicky panics in the handler when the message says so.
func panicky(ctx context.Context, _, msg string) (context.Context, func(error)) {
	if msg == "panic" {
		panic("the handler exploded")
	}
	return ctx, func(error) {}
}

func TestPanicWithRecoveryInsideTheStackIsAnException(t *testing.T) {
	tr := newTraces(t)
	recoveryOpt := recovery.WithRecoveryHandlerContext(interceptors.RecoverPanic)
	h := testsrv.Start(t,
		testsrv.WithServerOptions(append(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tr))),
			grpc.ChainUnaryInterceptor(recovery.UnaryServerInterceptor(recoveryOpt)),
			grpc.ChainStreamInterceptor(recovery.StreamServerInterceptor(recoveryOpt)))...),
		testsrv.WithDialOptions(interceptors.DialOptions(tracing.NewClient(tracing.WithTracerProvider(tr)))...),
		withHook(panicky),
	)

	if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{Message: "panic"}); status.Code(err) != codes.Internal {
		t.Fatalf("Echo: %v, want Internal", err)
	}
	chat, err := h.Demo().Chat(testContext(t))
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if err := chat.Send(&demov1.ChatRequest{Message: "panic"}); err != nil {
		t.Fatalf("Chat Send: %v", err)
	}
	if _, err := chat.Recv(); status.Code(err) != codes.Internal {
		t.Fatalf("Chat Recv: %v, want Internal", err)
	}

	spans := tr.ended(t, 4)
	for _, method := range []string{echoMethod, chatMethod} {
		server := only(t, spans, trace.SpanKindServer, method)
		want := sdktrace.Status{Code: otelcodes.Error, Description: "internal error: the handler panicked"}
		if server.Status() != want {
			t.Errorf("%s server status %v, want %v", method, server.Status(), want)
		}
		if len(server.Events()) != 1 || server.Events()[0].Name != "exception" {
			t.Fatalf("%s server events %v, want one exception", method, server.Events())
		}
		got := attrs(server.Events()[0].Attributes)
		if got["exception.type"] != "string" || got["exception.message"] != "the handler exploded" {
			t.Errorf("%s exception type %q message %q, want string, %q", method, got["exception.type"], got["exception.message"], "the handler exploded")
		}
		// The stack is the panicking goroutine's: it names the function that panicked.
		if stack := got["exception.stacktrace"]; !strings.Contains(stack, "tracing_test.panicky") {
			t.Errorf("%s exception stack does not name the panicking function:\n%s", method, stack)
		}
		client := only(t, spans, trace.SpanKindClient, method)
		if client.Status() != want || len(client.Events()) != 0 {
			t.Errorf("%s client span: status %v, %d events; want %v, none", method, client.Status(), len(client.Events()), want)
		}
	}
}

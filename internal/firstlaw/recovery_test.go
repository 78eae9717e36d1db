package firstlaw_test

import (
	"context"
	"strings"
	"testing"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpcobs/grpcobs/internal/firstlaw"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// panicValue is what the handler panics with.
const panicValue = "the handler broke"

// handlerThatPanics is the handler's bug; its name shows in the recorded stack.
func handlerThatPanics() { panic(panicValue) }

// maxDescription is the longest span status description the test accepts for a panic: one
// short line, not the panic's text with its stack.
const maxDescription = 300

// TestDefaultRecoveryInsideTheStack chains go-grpc-middleware's recovery interceptor, with its
// default handler, inside the stack (as a later option), the place most users put it. The
// caller gets what that interceptor makes of the panic (UNKNOWN: its *recovery.PanicError is
// not a status), every signal records that code, and the span also records the panic: an
// exception event with the value and the stack, and a short status description.
func TestDefaultRecoveryInsideTheStack(t *testing.T) {
	svc := newService()
	svc.before = func(context.Context, int) error {
		handlerThatPanics()
		return nil
	}
	w := startWorld(t, true, svc, setup{server: []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(recovery.UnaryServerInterceptor()),
		grpc.ChainStreamInterceptor(recovery.StreamServerInterceptor()),
	}})
	ctx := testContext(t)
	calls := []callResult{
		echo(ctx, w.demo(), &demov1.EchoRequest{Message: "unary"}),
		serverStream(ctx, w.demo(), &demov1.ServerStreamRequest{Message: "server stream", Count: 1}),
		chat(ctx, w.demo(), []string{"bidi stream"}),
	}
	for _, c := range calls {
		if c.Code != codes.Unknown {
			t.Errorf("%s: the caller got %v (%q), want Unknown, what recovery's default handler returns", c.Method, c.Code, c.Message)
		}
	}
	want := []codes.Code{codes.Unknown, codes.Unknown, codes.Unknown}
	w.obs.ExpectRecords(t, firstlaw.ClientSide, want)
	w.obs.ExpectRecords(t, firstlaw.ServerSide, want)

	for _, span := range w.obs.Spans.Ended() {
		if span.SpanKind() != trace.SpanKindServer {
			continue
		}
		t.Run(span.Name(), func(t *testing.T) { checkPanicSpan(t, span) })
	}
}

// checkPanicSpan checks that a server span recorded a handler panic as the OpenTelemetry
// conventions say: an exception event with the panic's value and stack, and an Error status
// whose description is one short line.
func checkPanicSpan(t *testing.T, span sdktrace.ReadOnlySpan) {
	t.Helper()
	st := span.Status()
	if st.Code != otelcodes.Error {
		t.Errorf("status code = %v, want Error", st.Code)
	}
	if strings.Contains(st.Description, "\n") || strings.Contains(st.Description, "goroutine ") || len(st.Description) > maxDescription {
		t.Errorf("status description is the panic's whole text with its stack (%d bytes), want one short line; it starts:\n%s", len(st.Description), st.Description[:min(len(st.Description), 2*maxDescription)])
	}
	if !strings.Contains(st.Description, panicValue) {
		t.Errorf("status description %q does not name the panic %q", st.Description, panicValue)
	}
	var exception *sdktrace.Event
	for _, e := range span.Events() {
		if e.Name == "exception" {
			exception = &e
		}
	}
	if exception == nil {
		t.Fatalf("no exception event; events: %v", span.Events())
	}
	got := map[attribute.Key]string{}
	for _, kv := range exception.Attributes {
		got[kv.Key] = kv.Value.String()
	}
	if got["exception.message"] != panicValue {
		t.Errorf("exception.message = %q, want %q", got["exception.message"], panicValue)
	}
	if !strings.Contains(got["exception.stacktrace"], "handlerThatPanics") {
		t.Errorf("exception.stacktrace does not show the panicking function handlerThatPanics:\n%s", got["exception.stacktrace"])
	}
}

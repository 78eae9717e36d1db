package tracing_test

import (
	"context"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"
)

func TestPublicEndpointStartsANewTraceLinkedToTheCaller(t *testing.T) {
	tr := newTraces(t)
	var view handlerView
	h := startTraced(t, tr,
		[]tracing.Option{tracing.WithPublicEndpoint(), tracing.WithBaggageAttributes("user")},
		nil, withHook(view.hook))

	ctx, root := tr.root(testsrv.WithBaggage(t, testContext(t), "user", "mallory"))
	if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	root.End()
	spans := tr.ended(t, 3)
	client := only(t, spans, trace.SpanKindClient, echoMethod)
	server := only(t, spans, trace.SpanKindServer, echoMethod)

	if server.Parent().IsValid() {
		t.Errorf("public endpoint span has parent %v, want a new root", server.Parent())
	}
	if server.SpanContext().TraceID() == client.SpanContext().TraceID() {
		t.Errorf("public endpoint span is in the caller's trace %v", client.SpanContext().TraceID())
	}
	if links := server.Links(); len(links) != 1 || !links[0].SpanContext.Equal(withRemote(client.SpanContext())) {
		t.Errorf("links %v, want one, to the caller's span %v", links, client.SpanContext())
	}
	seen := view.last(t)
	if len(seen.baggage) != 0 {
		t.Errorf("the handler saw the untrusted caller's baggage %v", seen.baggage)
	}
	if !seen.span.Equal(server.SpanContext()) {
		t.Errorf("handler span %v, want the new root %v", seen.span, server.SpanContext())
	}
	if v, ok := attrs(server.Attributes())["baggage.user"]; ok {
		t.Errorf("the span carries the untrusted caller's baggage.user = %q", v)
	}
}

func withRemote(sc trace.SpanContext) trace.SpanContext { return sc.WithRemote(true) }

func TestPublicEndpointWithoutCallerTraceHasNoLink(t *testing.T) {
	tr := newTraces(t)
	var view handlerView
	server := tracing.NewServer(tracing.WithTracerProvider(tr), tracing.WithPublicEndpoint())
	h := testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(server)...), withHook(view.hook))
	if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	span := only(t, tr.ended(t, 1), trace.SpanKindServer, echoMethod)
	if span.Parent().IsValid() || len(span.Links()) != 0 {
		t.Errorf("span parent %v, links %v; want a root without links", span.Parent(), span.Links())
	}
	if !view.last(t).span.Equal(span.SpanContext()) {
		t.Errorf("handler span %v, want %v", view.last(t).span, span.SpanContext())
	}
}

func TestPublicEndpointFnDecidesPerCall(t *testing.T) {
	tr := newTraces(t)
	var view handlerView
	untrusted := func(ctx context.Context, _ interceptors.CallMeta) bool {
		return len(metadata.ValueFromIncomingContext(ctx, "x-from-internet")) > 0
	}
	h := startTraced(t, tr, []tracing.Option{tracing.WithPublicEndpointFn(untrusted)}, nil, withHook(view.hook))

	ctx, root := tr.root(testsrv.WithBaggage(t, testContext(t), "user", "alice"))
	if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("trusted Echo: %v", err)
	}
	trusted := view.last(t)
	if _, err := h.Demo().Echo(metadata.AppendToOutgoingContext(ctx, "x-from-internet", "1"), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("untrusted Echo: %v", err)
	}
	public := view.last(t)
	root.End()
	tr.ended(t, 5)

	if trusted.span.TraceID() != root.SpanContext().TraceID() || len(trusted.baggage) != 1 {
		t.Errorf("trusted call: trace %v, baggage %v; want the caller's trace %v and its baggage",
			trusted.span.TraceID(), trusted.baggage, root.SpanContext().TraceID())
	}
	if public.span.TraceID() == root.SpanContext().TraceID() || len(public.baggage) != 0 {
		t.Errorf("untrusted call: trace %v, baggage %v; want a new trace and no baggage", public.span.TraceID(), public.baggage)
	}
}

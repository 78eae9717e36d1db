package tracing_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"
)

// FuzzExtract feeds arbitrary incoming metadata to the server side, then calls onwards with
// the client side from the handler's context, and checks what must hold whatever came in:
// nothing panics, a span starts, its parent (if any) is a trace context the caller sent,
// the handler's baggage keeps to the W3C limits in valid UTF-8, and the onward call sends
// one traceparent (its own span) and baggage within the W3C limits. traceparent, tracestate
// and baggage may hold several values, one per line; key and value are one more pair, both
// incoming and already in the outgoing metadata of the onward call.
//
// The seed corpus is in testdata/fuzz/FuzzExtract.
func FuzzExtract(f *testing.F) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	f.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	server := tracing.NewServer(tracing.WithTracerProvider(tp), tracing.WithBaggageAttributes("user"), tracing.WithMessageEvents())
	client := tracing.NewClient(tracing.WithTracerProvider(tp), tracing.WithBaggageAttributes("user"))
	serverMeta := interceptors.CallMeta{Service: "grpcobs.demo.v1.DemoService", Method: "Echo", Typ: interceptors.Unary}
	clientMeta := interceptors.CallMeta{Service: "grpcobs.demo.v1.DemoService", Method: "Echo", Typ: interceptors.Unary, IsClient: true}

	f.Fuzz(func(t *testing.T, traceparent, tracestate, bag, key, value string) {
		md := metadata.MD{}
		for k, v := range map[string]string{"traceparent": traceparent, "tracestate": tracestate, "baggage": bag} {
			if v != "" {
				md[k] = strings.Split(v, "\n")
			}
		}
		md[key] = append(md[key], value)
		ctx := metadata.NewIncomingContext(context.Background(), md)

		rep, ctx := server.ServerReporter(ctx, serverMeta)
		span, ok := trace.SpanFromContext(ctx).(sdktrace.ReadOnlySpan)
		if rep == nil || !ok {
			t.Fatalf("no server span: reporter %v, span %T", rep, trace.SpanFromContext(ctx))
		}
		if parent := span.Parent(); parent.IsValid() {
			sent := strings.Join(md["traceparent"], "\n")
			if !strings.Contains(sent, parent.TraceID().String()) || !strings.Contains(sent, parent.SpanID().String()) {
				t.Errorf("span parent %v was not sent in traceparent %q", parent, sent)
			}
		}
		bg := baggage.FromContext(ctx)
		if bg.Len() > 64 {
			t.Errorf("handler baggage has %d members, more than 64", bg.Len())
		}
		for _, m := range bg.Members() {
			if !utf8.ValidString(m.Value()) {
				t.Errorf("baggage %q has a value that is not valid UTF-8: %q", m.Key(), m.Value())
			}
		}
		rep.PostMsgReceive(nil, nil, 0)

		out := metadata.NewOutgoingContext(ctx, metadata.MD{key: {value}})
		onward, out := client.ClientReporter(out, clientMeta)
		sc := trace.SpanContextFromContext(out)
		want := "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-" + sc.TraceFlags().String()
		if got := metadata.ValueFromOutgoingContext(out, "traceparent"); len(got) != 1 || got[0] != want {
			t.Errorf("onward traceparent %q, want only %q", got, want)
		}
		sentBaggage := strings.Join(metadata.ValueFromOutgoingContext(out, "baggage"), ",")
		if len(sentBaggage) > 8192 || strings.Count(sentBaggage, ",") >= 64 {
			t.Errorf("onward baggage of %d bytes and %d members breaks the W3C limits", len(sentBaggage), strings.Count(sentBaggage, ",")+1)
		}
		for _, k := range []string{"traceparent", "tracestate"} {
			for _, v := range metadata.ValueFromOutgoingContext(out, k) {
				if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
					t.Errorf("onward %s %q is not printable ASCII", k, v)
				}
			}
		}
		onward.PostCall(nil, 0)
		rep.PostCall(nil, 0)
	})
}

package interop

import (
	"context"
	"maps"
	"strconv"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// handlerSaw records the span context and the tenant baggage member of the last call.
type handlerSaw struct {
	span   trace.SpanContext
	tenant string
}

func (h *handlerSaw) register(s *grpc.Server) {
	demov1.RegisterDemoServiceServer(s, demo.NewService(demo.WithHook(func(ctx context.Context, _, _ string) (context.Context, func(error)) {
		h.span = trace.SpanContextFromContext(ctx)
		h.tenant = baggage.FromContext(ctx).Member("tenant").Value()
		return ctx, func(error) {}
	})))
}

func TestOtelgrpcClientToGrpcobsServer(t *testing.T) {
	tr := newTraces(t)
	var saw handlerSaw
	h := testsrv.Start(t,
		testsrv.WithServerOptions(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tr)))...),
		testsrv.WithDialOptions(grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(tr), otelgrpc.WithPropagators(w3c)))),
		testsrv.WithRegister(saw.register))

	if _, err := h.Demo().Echo(testsrv.WithBaggage(t, testContext(t), "tenant", "acme"), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	spans := tr.ended(t, 2)
	client, server := only(t, spans, trace.SpanKindClient), only(t, spans, trace.SpanKindServer)
	if server.Parent().SpanID() != client.SpanContext().SpanID() || server.SpanContext().TraceID() != client.SpanContext().TraceID() {
		t.Errorf("grpcobs server span parent %v, want otelgrpc's client span %v", server.Parent(), client.SpanContext())
	}
	if client.Name() != echoMethod || server.Name() != echoMethod {
		t.Errorf("span names %q (otelgrpc) and %q (grpcobs), want both %q", client.Name(), server.Name(), echoMethod)
	}
	if !saw.span.Equal(server.SpanContext()) || saw.tenant != "acme" {
		t.Errorf("handler saw span %v and tenant %q, want the grpcobs server span and acme", saw.span, saw.tenant)
	}
}

func TestGrpcobsClientToOtelgrpcServer(t *testing.T) {
	tr := newTraces(t)
	var saw handlerSaw
	h := testsrv.Start(t,
		testsrv.WithServerOptions(grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithTracerProvider(tr), otelgrpc.WithPropagators(w3c)))),
		testsrv.WithDialOptions(interceptors.DialOptions(tracing.NewClient(tracing.WithTracerProvider(tr)))...),
		testsrv.WithRegister(saw.register))

	if _, err := h.Demo().Echo(testsrv.WithBaggage(t, testContext(t), "tenant", "acme"), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	spans := tr.ended(t, 2)
	client, server := only(t, spans, trace.SpanKindClient), only(t, spans, trace.SpanKindServer)
	if server.Parent().SpanID() != client.SpanContext().SpanID() || server.SpanContext().TraceID() != client.SpanContext().TraceID() {
		t.Errorf("otelgrpc server span parent %v, want grpcobs' client span %v", server.Parent(), client.SpanContext())
	}
	if !saw.span.Equal(server.SpanContext()) || saw.tenant != "acme" {
		t.Errorf("handler saw span %v and tenant %q, want otelgrpc's server span and acme", saw.span, saw.tenant)
	}
}

// TestSpansLookLikeOtelgrpcs traces the same calls with otelgrpc's stats handlers and with
// grpcobs at once, on both sides, and compares: same name, kind and status, and every
// attribute otelgrpc sets is set by grpcobs to the same value. The client dials an IP address:
// for a host name, grpcobs' server.address is the name and otelgrpc's the resolved address.
func TestSpansLookLikeOtelgrpcs(t *testing.T) {
	for code := codes.OK; code <= codes.Unauthenticated; code++ {
		t.Run(strconv.Itoa(int(code)), func(t *testing.T) {
			theirs, ours := newTraces(t), newTraces(t)
			h := testsrv.Start(t, testsrv.WithTCP(),
				testsrv.WithServerOptions(append(
					interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(ours))),
					grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithTracerProvider(theirs), otelgrpc.WithPropagators(w3c))))...),
				testsrv.WithDialOptions(append(
					interceptors.DialOptions(tracing.NewClient(tracing.WithTracerProvider(ours))),
					grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(theirs), otelgrpc.WithPropagators(w3c))))...))

			_, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{FailCode: int32(code)})
			if status.Code(err) != code {
				t.Fatalf("Echo: %v, want %v", err, code)
			}
			theirSpans, ourSpans := theirs.ended(t, 2), ours.ended(t, 2)
			for _, kind := range []trace.SpanKind{trace.SpanKindClient, trace.SpanKindServer} {
				want, got := only(t, theirSpans, kind), only(t, ourSpans, kind)
				if got.Name() != want.Name() || got.Status() != want.Status() {
					t.Errorf("%v span: name %q, status %v; otelgrpc: %q, %v", kind, got.Name(), got.Status(), want.Name(), want.Status())
				}
				wantAttrs, gotAttrs := attrs(want.Attributes()), attrs(got.Attributes())
				for k := range gotAttrs {
					if _, ok := wantAttrs[k]; !ok {
						delete(gotAttrs, k) // attributes grpcobs adds: network.peer.*, error.type
					}
				}
				if !maps.Equal(wantAttrs, gotAttrs) {
					t.Errorf("%v span attributes that otelgrpc sets:\n grpcobs:  %v\n otelgrpc: %v", kind, gotAttrs, wantAttrs)
				}
			}
		})
	}
}

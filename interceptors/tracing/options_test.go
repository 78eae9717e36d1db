package tracing_test

import (
	"context"
	"maps"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

func TestDefaultProviderIsTheGlobalOneAtEachCall(t *testing.T) {
	// Built before any provider is set, as a package-level server often is.
	server, client := tracing.NewServer(), tracing.NewClient()
	h := testsrv.Start(t,
		testsrv.WithServerOptions(interceptors.ServerOptions(server)...),
		testsrv.WithDialOptions(interceptors.DialOptions(client)...))
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })

	for i, tr := range []*traces{newTraces(t), newTraces(t)} {
		otel.SetTracerProvider(tr)
		if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{}); err != nil {
			t.Fatalf("Echo: %v", err)
		}
		if names := spanNames(tr.ended(t, 2)); len(names) != 2 {
			t.Errorf("global provider %d got spans %v, want the call's two", i, names)
		}
	}
}

// recordingPropagator notes whether it was used.
type recordingPropagator struct {
	propagation.TextMapPropagator
	used *bool
}

func (p recordingPropagator) Inject(ctx context.Context, c propagation.TextMapCarrier) {
	*p.used = true
	p.TextMapPropagator.Inject(ctx, c)
}

func (p recordingPropagator) Extract(ctx context.Context, c propagation.TextMapCarrier) context.Context {
	*p.used = true
	return p.TextMapPropagator.Extract(ctx, c)
}

func TestDefaultPropagatorIsW3CNotTheGlobalOne(t *testing.T) {
	var globalUsed bool
	otel.SetTextMapPropagator(recordingPropagator{TextMapPropagator: propagation.Baggage{}, used: &globalUsed})
	t.Cleanup(func() { otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator()) })

	tr := newTraces(t)
	var view handlerView
	h := startTraced(t, tr, nil, nil, withHook(view.hook))
	ctx, root := tr.root(testsrv.WithBaggage(t, testContext(t), "user", "alice"))
	if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	if globalUsed {
		t.Error("the global propagator was used")
	}
	if seen := view.last(t); seen.span.TraceID() != root.SpanContext().TraceID() || seen.baggage["user"] != "alice" {
		t.Errorf("handler saw trace %v and baggage %v, want trace %v and user=alice", seen.span.TraceID(), seen.baggage, root.SpanContext().TraceID())
	}
}

func TestWithPropagatorReplacesTheDefault(t *testing.T) {
	tr := newTraces(t)
	var view handlerView
	onlyTraceContext := []tracing.Option{tracing.WithPropagators(propagation.TraceContext{})}
	h := startTraced(t, tr, onlyTraceContext, onlyTraceContext, withHook(view.hook))
	ctx, root := tr.root(testsrv.WithBaggage(t, testContext(t), "user", "alice"))
	if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	if seen := view.last(t); seen.span.TraceID() != root.SpanContext().TraceID() || len(seen.baggage) != 0 {
		t.Errorf("handler saw trace %v and baggage %v, want trace %v and no baggage", seen.span.TraceID(), seen.baggage, root.SpanContext().TraceID())
	}
}

func TestNilOptionsAndNilValuesAreIgnored(t *testing.T) {
	tr := newTraces(t)
	var view handlerView
	ignored := []tracing.Option{
		nil,
		tracing.WithTracerProvider(nil),
		tracing.WithPropagators(nil),
		tracing.WithFilter(nil),
		tracing.WithPublicEndpointFn(nil),
		tracing.WithBaggageAttributes(""),
	}
	h := startTraced(t, tr, ignored, ignored, withHook(view.hook))
	ctx, root := tr.root(testsrv.WithBaggage(t, testContext(t), "user", "alice"))
	if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	root.End()
	names := spanNames(tr.ended(t, 3))
	sort.Strings(names)
	if diff := cmp.Diff([]string{"client " + echoMethod, "internal root", "server " + echoMethod}, names); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	if seen := view.last(t); seen.span.TraceID() != root.SpanContext().TraceID() || seen.baggage["user"] != "alice" {
		t.Errorf("handler saw trace %v and baggage %v, want the defaults to propagate both", seen.span.TraceID(), seen.baggage)
	}
}

func TestSemconvStabilityOptIn(t *testing.T) {
	for _, tc := range []struct {
		env             string
		want            map[string]string
		clientErrorType bool // error.type on the client span (NOT_FOUND is no server error)
	}{
		{env: "", want: map[string]string{
			"rpc.system.name": "grpc", "rpc.method": echoMethod, "rpc.response.status_code": "NOT_FOUND",
		}, clientErrorType: true},
		{env: "http,rpc/old", want: map[string]string{
			"rpc.system": "grpc", "rpc.service": "grpcobs.demo.v1.DemoService", "rpc.method": "Echo", "rpc.grpc.status_code": "5",
		}},
		{env: "rpc/old, rpc/dup", want: map[string]string{
			"rpc.system": "grpc", "rpc.service": "grpcobs.demo.v1.DemoService", "rpc.grpc.status_code": "5",
			"rpc.system.name": "grpc", "rpc.method": echoMethod, "rpc.response.status_code": "NOT_FOUND",
		}, clientErrorType: true},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv("OTEL_SEMCONV_STABILITY_OPT_IN", tc.env)
			tr := newTraces(t)
			h := startTraced(t, tr, nil, nil)
			if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{FailCode: 5}); err == nil {
				t.Fatal("Echo with fail_code 5 succeeded")
			}
			for _, kind := range []trace.SpanKind{trace.SpanKindClient, trace.SpanKindServer} {
				got := attrs(only(t, tr.ended(t, 2), kind, echoMethod).Attributes())
				want := maps.Clone(tc.want)
				if kind == trace.SpanKindServer {
					want["network.peer.address"], want["server.address"] = "bufconn", "bufconn"
				} else {
					want["server.address"] = "bufnet" // the harness dials passthrough:///bufnet
					if tc.clientErrorType {
						want["error.type"] = "NOT_FOUND"
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%v span attributes (-want +got):\n%s", kind, diff)
				}
			}
		})
	}
}

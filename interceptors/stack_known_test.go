package interceptors_test

import (
	"context"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
)

// NewStack refuses an option it cannot use, naming the option.
func TestNewStackNamesTheOptionItRefuses(t *testing.T) {
	for _, tc := range []struct {
		opt  interceptors.StackOption
		want string
	}{
		{interceptors.WithKnownMethods("Echo"), `interceptors.WithKnownMethods: "Echo" is not a full method name`},
		{interceptors.WithKnownMethods("/a\xff.S/M"), `interceptors.WithKnownMethods: "/a\xff.S/M" is not valid UTF-8`},
		{interceptors.WithFirstSeenMethods(-1), "interceptors.WithFirstSeenMethods: the number of first-seen methods must not be negative: -1"},
	} {
		stack, err := interceptors.NewStack(tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) || stack != nil {
			t.Errorf("NewStack = %v, %v; want nil and an error containing %q", stack, err, tc.want)
		}
	}
}

// recorded is a stack's tracing and metrics, recording to memory.
type recorded struct {
	spans *tracetest.SpanRecorder
	reg   *prometheus.Registry
}

func newRecorded(t *testing.T) (recorded, *tracing.Client, *metrics.ClientMetrics) {
	r := recorded{spans: tracetest.NewSpanRecorder(), reg: prometheus.NewRegistry()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	m := metrics.NewClientMetrics()
	r.reg.MustRegister(m)
	// Tracing leaves out calls to One: the stack still resolves them.
	tr := tracing.NewClient(tracing.WithTracerProvider(tp), tracing.WithFilter(filter.Not(filter.Methods("/first.v1.S/One"))))
	return r, tr, m
}

// The stack decides once per call whether its method is known, for every signal: with one
// first-seen place, the first method called takes it even where tracing filters that call
// out, so tracing does not give the place to the next method (with a known-method set per
// signal, it would have named Two's span).
func TestOneKnownMethodSetForEverySignal(t *testing.T) {
	stack, err := interceptors.NewStack(interceptors.WithFirstSeenMethods(1))
	if err != nil {
		t.Fatal(err)
	}
	r, tr, m := newRecorded(t)
	h := testsrv.Start(t,
		testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)),
		testsrv.WithRegister(func(*grpc.Server) {}),
		testsrv.WithDialOptions(stack.DialOptions(tr, m)...))
	for _, method := range []string{"/first.v1.S/One", "/first.v1.S/Two"} {
		if err := h.Conn.Invoke(t.Context(), method, &demov1.EchoRequest{}, &demov1.EchoResponse{}); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
	}
	var names []string
	for _, s := range r.spans.Ended() {
		names = append(names, s.Name())
	}
	if len(names) != 1 || names[0] != "grpc" {
		t.Errorf("spans %v, want one, named grpc (Two is not known)", names)
	}
	if got := methodLabels(r.reg, "grpc_client_started_total"); len(got) != 2 || got[0] != "One" || got[1] != "other" {
		t.Errorf("grpc_client_started_total by grpc_method %v, want One and other", got)
	}
}

// notes is a bidi service registered without generated code and with a nil implementation:
// grpc-go then hands its handler a nil srv, as it does the unknown-service handler, so the
// stack cannot tell that its calls reached a registered method.
var notes = grpc.ServiceDesc{
	ServiceName: "hand.written.v1.Notes",
	HandlerType: (*any)(nil),
	Streams:     []grpc.StreamDesc{{StreamName: "Add", Handler: testsrv.EchoAnything, ServerStreams: true, ClientStreams: true}},
}

// The methods registered on a server given to InitializeMetrics feed the stack's one set:
// tracing, which has no such call, names their spans too.
func TestInitializeMetricsFeedsTheStacksKnownMethods(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	srvMetrics := metrics.NewServerMetrics()
	h := testsrv.Start(t,
		testsrv.WithServerOptions(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tp)), srvMetrics)...),
		testsrv.WithRegister(func(srv *grpc.Server) {
			srv.RegisterService(&notes, nil)
			srvMetrics.InitializeMetrics(srv)
		}))
	if err := h.Conn.Invoke(t.Context(), "/hand.written.v1.Notes/Add", &demov1.EchoRequest{}, &demov1.EchoResponse{}); err != nil {
		t.Fatalf("Add: %v", err)
	}
	ended := spans.Ended()
	if len(ended) != 1 || ended[0].Name() != "hand.written.v1.Notes/Add" {
		var names []string
		for _, s := range ended {
			names = append(names, s.Name())
		}
		t.Errorf("server spans %v, want one named hand.written.v1.Notes/Add", names)
	}
}

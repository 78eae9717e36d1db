package tracing_test

import (
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// notes is a service registered without generated code (a hand-written ServiceDesc, as
// gogo-generated code or a proxy registers one): nothing declares it in the protobuf registry.
var notes = grpc.ServiceDesc{
	ServiceName: "hand.written.v1.Notes",
	HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{
		{StreamName: "Add", Handler: testsrv.EchoAnything, ServerStreams: true, ClientStreams: true},
		{StreamName: "Get", Handler: testsrv.EchoAnything, ServerStreams: true, ClientStreams: true},
	},
}

// startKnown starts a server and a client traced to tr, each in a stack of its own with its
// options (known methods), with register's services.
func startKnown(t *testing.T, tr *traces, serverOpts, clientOpts []interceptors.StackOption, register func(*grpc.Server), opts ...testsrv.Option) *testsrv.Harness {
	t.Helper()
	serverStack, err := interceptors.NewStack(serverOpts...)
	if err != nil {
		t.Fatal(err)
	}
	clientStack, err := interceptors.NewStack(clientOpts...)
	if err != nil {
		t.Fatal(err)
	}
	server := tracing.NewServer(tracing.WithTracerProvider(tr))
	client := tracing.NewClient(tracing.WithTracerProvider(tr))
	return testsrv.Start(t, append([]testsrv.Option{
		testsrv.WithServerOptions(serverStack.ServerOptions(server)...),
		testsrv.WithDialOptions(clientStack.DialOptions(client)...),
		testsrv.WithRegister(register),
	}, opts...)...)
}

// invoke makes a unary call to method, which must succeed.
func invoke(t *testing.T, h *testsrv.Harness, method string) {
	t.Helper()
	if err := h.Conn.Invoke(testContext(t), method, &demov1.EchoRequest{}, &demov1.EchoResponse{}); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
}

// spanNamed checks that the one span of kind for a call to sent is named want, with rpc.method
// want too (or "_OTHER" for the span named "grpc").
func spanNamed(t *testing.T, spans []sdktrace.ReadOnlySpan, kind trace.SpanKind, sent, want string) {
	t.Helper()
	for _, s := range spans {
		a := attrs(s.Attributes())
		if s.SpanKind() != kind || (s.Name() != sent && a["rpc.method_original"] != sent) {
			continue
		}
		wantMethod := want
		if want == "grpc" {
			wantMethod = "_OTHER"
		}
		if s.Name() != want || a["rpc.method"] != wantMethod {
			t.Errorf("%v span of %s: named %q with rpc.method %q, want %q with %q", kind, sent, s.Name(), a["rpc.method"], want, wantMethod)
		}
		return
	}
	t.Errorf("no %v span of %s; spans: %v", kind, sent, spanNames(spans))
}

// A hand-written service registered on the server (no generated code declares it, as with
// gogo-generated code or a proxy) names its server spans, whenever it was registered: the
// stack tells tracing the call reached a registered method. The client, which knows nothing
// of it, still names them "grpc".
func TestMethodsRegisteredOnTheServerNameTheirSpans(t *testing.T) {
	tr := newTraces(t)
	h := startKnown(t, tr, nil, nil, func(srv *grpc.Server) {
		demov1.RegisterDemoServiceServer(srv, demo.NewService())
		srv.RegisterService(&notes, struct{}{})
	})
	invoke(t, h, "/hand.written.v1.Notes/Add")
	if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	spans := tr.ended(t, 4)
	spanNamed(t, spans, trace.SpanKindServer, "hand.written.v1.Notes/Add", "hand.written.v1.Notes/Add")
	spanNamed(t, spans, trace.SpanKindClient, "hand.written.v1.Notes/Add", "grpc")
	spanNamed(t, spans, trace.SpanKindServer, echoMethod, echoMethod)
	spanNamed(t, spans, trace.SpanKindClient, echoMethod, echoMethod)
}

// A client calling methods no generated code declares (a dynamic client) names the spans of
// those it lists; any other stays "grpc". The server, answering through an unknown-service
// handler, lists the same.
func TestAClientNamesTheSpansOfTheMethodsItLists(t *testing.T) {
	tr := newTraces(t)
	listed := []interceptors.StackOption{interceptors.WithKnownMethods("/hand.written.v1.Notes/Get")}
	h := startKnown(t, tr, listed, listed, func(*grpc.Server) {},
		testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)))
	invoke(t, h, "/hand.written.v1.Notes/Get")
	invoke(t, h, "/hand.written.v1.Notes/Delete")
	spans := tr.ended(t, 4)
	for _, kind := range []trace.SpanKind{trace.SpanKindServer, trace.SpanKindClient} {
		spanNamed(t, spans, kind, "hand.written.v1.Notes/Get", "hand.written.v1.Notes/Get")
		spanNamed(t, spans, kind, "hand.written.v1.Notes/Delete", "grpc")
	}
}

// A client of a dynamic API names the spans of the first n methods it sees, and no more.
func TestAClientNamesTheFirstMethodsItSees(t *testing.T) {
	tr := newTraces(t)
	h := startKnown(t, tr, nil, []interceptors.StackOption{interceptors.WithFirstSeenMethods(1)}, func(*grpc.Server) {},
		testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)))
	invoke(t, h, "/hand.written.v1.Notes/Get")
	invoke(t, h, "/hand.written.v1.Notes/Delete")
	invoke(t, h, "/hand.written.v1.Notes/Get")
	spans := tr.ended(t, 6)
	names := map[string]int{}
	for _, s := range spans {
		if s.SpanKind() == trace.SpanKindClient {
			names[s.Name()]++
		}
	}
	if names["hand.written.v1.Notes/Get"] != 2 || names["grpc"] != 1 {
		t.Errorf("client span names %v, want Get twice (the first seen) and grpc once", names)
	}
}

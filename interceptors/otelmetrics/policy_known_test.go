package otelmetrics_test

import (
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// notes is a service registered without generated code: nothing declares it.
var notes = grpc.ServiceDesc{
	ServiceName: "hand.written.v1.Notes",
	HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{
		{StreamName: "Add", Handler: testsrv.EchoAnything, ServerStreams: true, ClientStreams: true},
	},
}

// A method registered on the server is known to the server's metrics, and one the stack lists
// to the client's; what neither knows is _OTHER.
func TestRegisteredAndListedMethodsAreKnown(t *testing.T) {
	s := startStack(t, stackConfig{
		clientStack: []interceptors.StackOption{interceptors.WithKnownMethods("/hand.written.v1.Notes/Add")},
		harness: []testsrv.Option{
			testsrv.WithRegister(func(srv *grpc.Server) { srv.RegisterService(&notes, struct{}{}) }),
			testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)),
		},
	})
	for _, method := range []string{"/hand.written.v1.Notes/Add", "/hand.written.v1.Notes/Remove"} {
		if err := s.Conn.Invoke(t.Context(), method, &demov1.EchoRequest{}, &demov1.EchoResponse{}); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
	}
	ms := s.collect(t)
	for _, name := range []string{"rpc.server.call.duration", "rpc.client.call.duration"} {
		methods := map[string]uint64{}
		for _, p := range histogram(t, metricNamed(t, ms, name)) {
			v, _ := p.Attributes.Value("rpc.method")
			methods[v.AsString()] += p.Count
		}
		if methods["hand.written.v1.Notes/Add"] != 1 || methods["_OTHER"] != 1 || len(methods) != 2 {
			t.Errorf("%s by rpc.method %v, want hand.written.v1.Notes/Add 1 and _OTHER 1", name, methods)
		}
	}
}

// error.type follows the status policy the signal is given.
func TestErrorTypeFollowsTheStatusPolicy(t *testing.T) {
	relaxed, err := interceptors.NewStatusPolicy(interceptors.NotErrorsOnClient(codes.NotFound))
	if err != nil {
		t.Fatal(err)
	}
	s := startStack(t, stackConfig{options: []otelmetrics.Option{otelmetrics.WithStatusPolicy(relaxed)}})
	for _, code := range []codes.Code{codes.NotFound, codes.PermissionDenied} {
		if _, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{FailCode: int32(code)}); status.Code(err) != code {
			t.Fatalf("Echo = %v, want %v", err, code)
		}
	}
	errorTypes := map[string]bool{}
	for _, p := range histogram(t, metricNamed(t, s.collect(t), "rpc.client.call.duration")) {
		code, _ := p.Attributes.Value("rpc.response.status_code")
		_, hasErrorType := p.Attributes.Value("error.type")
		errorTypes[code.AsString()] = hasErrorType
	}
	if errorTypes["NOT_FOUND"] || !errorTypes["PERMISSION_DENIED"] {
		t.Errorf("client error.type by code %v, want none for NOT_FOUND (not an error by the policy) and one for PERMISSION_DENIED", errorTypes)
	}
}

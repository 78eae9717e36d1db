package metrics_test

import (
	"context"
	"io"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
)

const notes = "hand.written.v1.Notes"

// handWritten is a service registered without generated code, as a hand-written ServiceDesc,
// gogo-generated code or a proxy registers one: nothing declares it in the protobuf registry,
// only the server knows it. Get is unary, Add a bidi stream; both echo.
var handWritten = grpc.ServiceDesc{
	ServiceName: notes,
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Get",
		Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			var req demov1.EchoRequest
			if err := dec(&req); err != nil {
				return nil, err
			}
			echo := func(context.Context, any) (any, error) { return &demov1.EchoResponse{Message: req.GetMessage()}, nil }
			if interceptor == nil {
				return echo(ctx, &req)
			}
			return interceptor(ctx, &req, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/" + notes + "/Get"}, echo)
		},
	}},
	Streams: []grpc.StreamDesc{{
		StreamName:    "Add",
		Handler:       testsrv.EchoAnything,
		ServerStreams: true,
		ClientStreams: true,
	}},
}

// notesMethod are the labels of a hand-written method.
func notesMethod(typ interceptors.GRPCType, method string) labels {
	return labels{"grpc_type": string(typ), "grpc_service": notes, "grpc_method": method}
}

// otherMethod are the labels of the calls to methods that are not known.
func otherMethod(typ interceptors.GRPCType) labels {
	return labels{"grpc_type": string(typ), "grpc_service": "other", "grpc_method": "other"}
}

// invoke makes a unary call to method, which must succeed.
func invoke(t *testing.T, conn *grpc.ClientConn, method string) {
	t.Helper()
	if err := conn.Invoke(t.Context(), method, &demov1.EchoRequest{Message: "x"}, &demov1.EchoResponse{}); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
}

// wantStarted checks grpc_<side>_started_total of each label set, and that the family has no
// other series.
func wantStarted(t *testing.T, s *stack, side string, want map[*labels]float64) {
	t.Helper()
	name := "grpc_" + side + "_started_total"
	for l, n := range want {
		if got := value(t, s.reg, name, *l); got != n {
			t.Errorf("%s%v = %v, want %v", name, *l, got, n)
		}
	}
	if got := seriesPerFamily(t, s.reg)[name]; got != len(want) {
		t.Errorf("%s has %d series, want %d", name, got, len(want))
	}
}

// The example server's case: services registered after InitializeMetrics (a hand-written one,
// grpc-go's health server, server reflection) are known on the server all the same.
func TestMethodsRegisteredAfterInitializeMetricsAreKnown(t *testing.T) {
	s := startStack(t, stackConfig{register: func(srv *grpc.Server, m *metrics.ServerMetrics) {
		demov1.RegisterDemoServiceServer(srv, demo.NewService())
		m.InitializeMetrics(srv)
		srv.RegisterService(&handWritten, struct{}{})
		healthpb.RegisterHealthServer(srv, health.NewServer())
		reflection.Register(srv)
	}})
	invoke(t, s.Conn, "/"+notes+"/Get")
	stream, err := s.Conn.NewStream(t.Context(), &handWritten.Streams[0], "/"+notes+"/Add")
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if err := stream.SendMsg(&demov1.EchoRequest{}); err != nil {
		t.Fatalf("Add: send: %v", err)
	}
	if err := stream.RecvMsg(&demov1.EchoResponse{}); err != nil {
		t.Fatalf("Add: receive: %v", err)
	}
	if _, err := healthpb.NewHealthClient(s.Conn).Check(t.Context(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatalf("Check: %v", err)
	}
	info, err := reflectionpb.NewServerReflectionClient(s.Conn).ServerReflectionInfo(t.Context())
	if err != nil {
		t.Fatalf("ServerReflectionInfo: %v", err)
	}
	if err := info.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatalf("ServerReflectionInfo: send: %v", err)
	}
	if _, err := info.Recv(); err != nil {
		t.Fatalf("ServerReflectionInfo: receive: %v", err)
	}
	if err := info.CloseSend(); err != nil {
		t.Fatalf("ServerReflectionInfo: close: %v", err)
	}
	if _, err := info.Recv(); err != io.EOF {
		t.Fatalf("ServerReflectionInfo: end: got %v, want io.EOF", err)
	}
	check := labels{"grpc_type": "unary", "grpc_service": "grpc.health.v1.Health", "grpc_method": "Check"}
	reflect := labels{"grpc_type": "bidi_stream", "grpc_service": "grpc.reflection.v1.ServerReflection", "grpc_method": "ServerReflectionInfo"}
	get, add := notesMethod(interceptors.Unary, "Get"), notesMethod(interceptors.BidiStream, "Add")
	// The four DemoService methods InitializeMetrics created, at zero, and the three called.
	echo, sstream := demoMethod(interceptors.Unary, "Echo"), demoMethod(interceptors.ServerStream, "ServerStream")
	cstream, chat := demoMethod(interceptors.ClientStream, "ClientStream"), demoMethod(interceptors.BidiStream, "Chat")
	wantStarted(t, s, "server", map[*labels]float64{&get: 1, &add: 1, &check: 1, &reflect: 1, &echo: 0, &sstream: 0, &cstream: 0, &chat: 0})

	// The client knows what generated code declares: health and reflection, not the
	// hand-written service.
	otherUnary, otherBidi := otherMethod(interceptors.Unary), otherMethod(interceptors.BidiStream)
	wantStarted(t, s, "client", map[*labels]float64{&otherUnary: 1, &otherBidi: 1, &check: 1, &reflect: 1})
}

// A hand-written service registered before InitializeMetrics is known, and its series are
// created at zero, every code on handled.
func TestHandWrittenServiceIsKnownAndInitialized(t *testing.T) {
	s := startStack(t, stackConfig{register: func(srv *grpc.Server, m *metrics.ServerMetrics) {
		srv.RegisterService(&handWritten, struct{}{})
		m.InitializeMetrics(srv)
	}})
	get, add := notesMethod(interceptors.Unary, "Get"), notesMethod(interceptors.BidiStream, "Add")
	wantStarted(t, s, "server", map[*labels]float64{&get: 0, &add: 0})
	if got := seriesPerFamily(t, s.reg)["grpc_server_handled_total"]; got != 2*17 {
		t.Errorf("grpc_server_handled_total has %d series, want %d", got, 2*17)
	}
	invoke(t, s.Conn, "/"+notes+"/Get")
	if got := value(t, s.reg, "grpc_server_handled_total", get.with("grpc_code", "OK")); got != 1 {
		t.Errorf("handled{Get, OK} = %v, want 1", got)
	}
}

// A client that calls methods no generated code declares (a dynamic client) names the ones its
// stack lists; a method it does not list is other. The server, with only an unknown-service
// handler, lists the same.
func TestAClientKnowsTheMethodsItLists(t *testing.T) {
	s := startStack(t, stackConfig{
		stack:   []interceptors.StackOption{interceptors.WithKnownMethods(notes+"/Get", "/"+notes+"/Add")},
		harness: []testsrv.Option{testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything))},
	})
	invoke(t, s.Conn, "/"+notes+"/Get")
	invoke(t, s.Conn, "/"+notes+"/Add")
	invoke(t, s.Conn, "/"+notes+"/Delete")
	get, add := notesMethod(interceptors.Unary, "Get"), notesMethod(interceptors.Unary, "Add")
	otherUnary := otherMethod(interceptors.Unary)
	wantStarted(t, s, "client", map[*labels]float64{&get: 1, &add: 1, &otherUnary: 1})
	// The unknown-service handler serves every call as a bidi stream.
	getOnServer, addOnServer := notesMethod(interceptors.BidiStream, "Get"), notesMethod(interceptors.BidiStream, "Add")
	otherBidi := otherMethod(interceptors.BidiStream)
	wantStarted(t, s, "server", map[*labels]float64{&getOnServer: 1, &addOnServer: 1, &otherBidi: 1})
}

// Declared methods stay known after InitializeMetrics, also those an unknown-service handler
// serves (a proxy's).
func TestDeclaredMethodsStayKnownAfterInitializeMetrics(t *testing.T) {
	s := startStack(t, stackConfig{
		register: func(srv *grpc.Server, m *metrics.ServerMetrics) {
			srv.RegisterService(&handWritten, struct{}{})
			m.InitializeMetrics(srv)
		},
		harness: []testsrv.Option{testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything))},
	})
	invoke(t, s.Conn, "/grpcobs.demo.v1.DemoService/Echo")
	if got := value(t, s.reg, "grpc_server_started_total", demoMethod(interceptors.BidiStream, "Echo")); got != 1 {
		t.Errorf("Echo, served by the unknown-service handler: started %v, want 1", got)
	}
}

// With interceptors.WithFirstSeenMethods(2), the first two methods that are not otherwise known get series
// of their own; a name that cannot be one (too long, not UTF-8) takes no place, and every
// method after the two is other.
func TestFirstSeenMethodsAreBounded(t *testing.T) {
	s := startStack(t, stackConfig{
		stack:   []interceptors.StackOption{interceptors.WithFirstSeenMethods(2)},
		harness: []testsrv.Option{testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything))},
	})
	for _, method := range []string{
		"/first.v1.S/One",
		"/long.v1.S/" + strings.Repeat("x", 300),
		"/bad\xff.v1.S/M",
		"/first.v1.S/One",
		"/first.v1.S/Two",
		"/first.v1.S/Three",
	} {
		invoke(t, s.Conn, method)
	}
	for _, side := range []struct {
		name string
		typ  interceptors.GRPCType
	}{{"server", interceptors.BidiStream}, {"client", interceptors.Unary}} {
		one := labels{"grpc_type": string(side.typ), "grpc_service": "first.v1.S", "grpc_method": "One"}
		two := one.with("grpc_method", "Two")
		other := otherMethod(side.typ)
		wantStarted(t, s, side.name, map[*labels]float64{&one: 2, &two: 1, &other: 3})
	}
}

// countingServer counts how often its services are read.
type countingServer struct {
	*grpc.Server
	reads atomic.Int32
}

func (c *countingServer) GetServiceInfo() map[string]grpc.ServiceInfo {
	c.reads.Add(1)
	return c.Server.GetServiceInfo()
}

// The server is read at InitializeMetrics and once more at the first call to a method that is
// not known, never again: random method names cost no reads.
func TestTheServerIsReadAgainOnlyOnce(t *testing.T) {
	var counting countingServer
	s := startStack(t, stackConfig{
		register: func(srv *grpc.Server, m *metrics.ServerMetrics) {
			counting.Server = srv
			m.InitializeMetrics(&counting)
			srv.RegisterService(&handWritten, struct{}{})
		},
		harness: []testsrv.Option{testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything))},
	})
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		invoke(t, s.Conn, testsrv.RandomMethod(rng))
	}
	invoke(t, s.Conn, "/"+notes+"/Get")
	if got := counting.reads.Load(); got != 2 {
		t.Errorf("the server's services were read %d times, want 2 (InitializeMetrics, then the first unknown method)", got)
	}
	get := notesMethod(interceptors.Unary, "Get")
	otherBidi := otherMethod(interceptors.BidiStream)
	wantStarted(t, s, "server", map[*labels]float64{&get: 1, &otherBidi: 50})
}

// One ClientMetrics in two stacks that know different methods: every method neither knows is
// other, whatever the calls before it. Every method a stack does not know shares one entry of
// its per-method cache, which must not carry another method's series. (A method one stack knows
// has series of its own in the metrics' table from its first call there on, and the other
// stack's calls to it count there too from then on, as they always have.)
func TestOneMetricsInStacksThatKnowDifferentMethods(t *testing.T) {
	cm := metrics.NewClientMetrics()
	reg := prometheus.NewRegistry()
	reg.MustRegister(cm)
	h := testsrv.Start(t, testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)))
	knowing, err := interceptors.NewStack(interceptors.WithKnownMethods("/dyn.v1.S/M"))
	if err != nil {
		t.Fatal(err)
	}
	connKnowing, err := h.Dial(knowing.DialOptions(cm)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = connKnowing.Close() })
	connOther, err := h.Dial(interceptors.DialOptions(cm)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = connOther.Close() })

	invoke(t, connOther, "/dyn.v1.S/M") // before the knowing stack made M's series
	invoke(t, connKnowing, "/dyn.v1.S/M")
	invoke(t, connOther, "/dyn.v1.S/M") // after
	for range 3 {
		invoke(t, connOther, "/random.v1.X/Y")
	}
	invoke(t, connKnowing, "/random.v1.X/Y")
	m := labels{"grpc_type": string(interceptors.Unary), "grpc_service": "dyn.v1.S", "grpc_method": "M"}
	other := otherMethod(interceptors.Unary)
	for l, want := range map[*labels]float64{&m: 2, &other: 5} {
		if got := value(t, reg, "grpc_client_started_total", *l); got != want {
			t.Errorf("grpc_client_started_total%v = %v, want %v", *l, got, want)
		}
	}
}

package knownmethods_test

import (
	"fmt"

	"github.com/grpcobs/grpcobs/interceptors/internal/knownmethods"
	_ "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1" // declares grpcobs.demo.v1.DemoService
	"google.golang.org/grpc"
)

func ExampleSet() {
	listed, _ := knownmethods.ParseMethod("/proxy.v1.Routes/Get")
	set := knownmethods.New([]knownmethods.Method{listed}, 0)

	srv := grpc.NewServer()
	set.AddServer(srv)
	// Registered after AddServer, before serving: known all the same.
	srv.RegisterService(&grpc.ServiceDesc{
		ServiceName: "hand.written.v1.Notes",
		HandlerType: (*any)(nil),
		Methods:     []grpc.MethodDesc{{MethodName: "Add"}},
	}, struct{}{})

	for _, m := range []struct{ service, method string }{
		{"grpcobs.demo.v1.DemoService", "Echo"}, // declared by generated code
		{"hand.written.v1.Notes", "Add"},        // registered on the server
		{"proxy.v1.Routes", "Get"},              // listed
		{"scan.v1.Random", "Probe"},             // none of these
	} {
		fmt.Printf("%s/%s: %v\n", m.service, m.method, set.Known(m.service, m.method))
	}
	// Output:
	// grpcobs.demo.v1.DemoService/Echo: true
	// hand.written.v1.Notes/Add: true
	// proxy.v1.Routes/Get: true
	// scan.v1.Random/Probe: false
}

package otelmetrics_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/grpc"
)

func ExampleNewServer() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()

	srv := grpc.NewServer(interceptors.ServerOptions(otelmetrics.NewServer(otelmetrics.WithMeterProvider(mp)))...)
	demov1.RegisterDemoServiceServer(srv, demo.NewService())
	conn, stop := testsrv.Serve(srv)
	defer stop()
	client := demov1.NewDemoServiceClient(conn)
	_, _ = client.Echo(context.Background(), &demov1.EchoRequest{Message: "hello"})
	_, _ = client.Echo(context.Background(), &demov1.EchoRequest{FailCode: 5})  // NOT_FOUND: the caller's problem
	_, _ = client.Echo(context.Background(), &demov1.EchoRequest{FailCode: 13}) // INTERNAL: the server's

	printPoints(reader)
	// Output:
	// rpc.server.call.duration (s) {error.type=INTERNAL rpc.method=grpcobs.demo.v1.DemoService/Echo rpc.response.status_code=INTERNAL rpc.system.name=grpc} count=1
	// rpc.server.call.duration (s) {rpc.method=grpcobs.demo.v1.DemoService/Echo rpc.response.status_code=NOT_FOUND rpc.system.name=grpc} count=1
	// rpc.server.call.duration (s) {rpc.method=grpcobs.demo.v1.DemoService/Echo rpc.response.status_code=OK rpc.system.name=grpc} count=1
}

func ExampleWithA66() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()

	a66 := []otelmetrics.Option{otelmetrics.WithMeterProvider(mp), otelmetrics.WithA66()}
	srv := grpc.NewServer(interceptors.ServerOptions(otelmetrics.NewServer(a66...))...)
	demov1.RegisterDemoServiceServer(srv, demo.NewService())
	conn, stop := testsrv.Serve(srv, interceptors.DialOptions(otelmetrics.NewClient(a66...))...)
	defer stop()
	_, _ = demov1.NewDemoServiceClient(conn).Echo(context.Background(), &demov1.EchoRequest{Message: "hello"})
	// A method that no generated code in the program declares is recorded as other.
	_ = conn.Invoke(context.Background(), "/made.up.v1.Service/Anything", &demov1.EchoRequest{}, &demov1.EchoResponse{})

	printPoints(reader)
	// Output:
	// grpc.client.call.duration (s) {grpc.method=grpcobs.demo.v1.DemoService/Echo grpc.status=OK grpc.target=passthrough:///bufnet} count=1
	// grpc.client.call.duration (s) {grpc.method=other grpc.status=UNIMPLEMENTED grpc.target=passthrough:///bufnet} count=1
	// grpc.server.call.duration (s) {grpc.method=grpcobs.demo.v1.DemoService/Echo grpc.status=OK} count=1
	// grpc.server.call.started ({call}) {grpc.method=grpcobs.demo.v1.DemoService/Echo} count=1
}

func ExampleWithAttempts() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()

	// Echo is retried on UNAVAILABLE, up to three attempts.
	const retryPolicy = `{"methodConfig": [{
		"name": [{"service": "grpcobs.demo.v1.DemoService", "method": "Echo"}],
		"retryPolicy": {"maxAttempts": 3, "initialBackoff": "0.01s", "maxBackoff": "0.01s",
			"backoffMultiplier": 1, "retryableStatusCodes": ["UNAVAILABLE"]}}]}`
	srv := grpc.NewServer()
	demov1.RegisterDemoServiceServer(srv, demo.NewService())
	conn, stop := testsrv.Serve(srv, append(interceptors.DialOptions(otelmetrics.NewClient(
		otelmetrics.WithMeterProvider(mp), otelmetrics.WithA66(), otelmetrics.WithAttempts(),
	)), grpc.WithDefaultServiceConfig(retryPolicy))...)
	defer stop()
	// The demo server fails the first attempt with UNAVAILABLE; grpc-go retries it. The
	// request is 9 bytes on the wire, the response 7.
	_, _ = demov1.NewDemoServiceClient(conn).Echo(context.Background(), &demov1.EchoRequest{Message: "hello", UnavailableAttempts: 1})

	printPoints(reader)
	// Output:
	// grpc.client.attempt.duration (s) {grpc.method=grpcobs.demo.v1.DemoService/Echo grpc.status=OK grpc.target=passthrough:///bufnet} count=1
	// grpc.client.attempt.duration (s) {grpc.method=grpcobs.demo.v1.DemoService/Echo grpc.status=UNAVAILABLE grpc.target=passthrough:///bufnet} count=1
	// grpc.client.attempt.rcvd_total_compressed_message_size (By) {grpc.method=grpcobs.demo.v1.DemoService/Echo grpc.status=OK grpc.target=passthrough:///bufnet} count=1 sum=7
	// grpc.client.attempt.rcvd_total_compressed_message_size (By) {grpc.method=grpcobs.demo.v1.DemoService/Echo grpc.status=UNAVAILABLE grpc.target=passthrough:///bufnet} count=1 sum=0
	// grpc.client.attempt.sent_total_compressed_message_size (By) {grpc.method=grpcobs.demo.v1.DemoService/Echo grpc.status=OK grpc.target=passthrough:///bufnet} count=1 sum=9
	// grpc.client.attempt.sent_total_compressed_message_size (By) {grpc.method=grpcobs.demo.v1.DemoService/Echo grpc.status=UNAVAILABLE grpc.target=passthrough:///bufnet} count=1 sum=9
	// grpc.client.attempt.started ({attempt}) {grpc.method=grpcobs.demo.v1.DemoService/Echo grpc.target=passthrough:///bufnet} count=2
	// grpc.client.call.duration (s) {grpc.method=grpcobs.demo.v1.DemoService/Echo grpc.status=OK grpc.target=passthrough:///bufnet} count=1
}

// printPoints prints every data point the reader holds, one line each, sorted.
func printPoints(reader *sdkmetric.ManualReader) {
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		fmt.Println(err)
		return
	}
	var lines []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch data := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, p := range data.DataPoints {
					lines = append(lines, fmt.Sprintf("%s (%s) {%s} count=%d", m.Name, m.Unit, setString(p.Attributes), p.Count))
				}
			case metricdata.Histogram[int64]:
				for _, p := range data.DataPoints {
					lines = append(lines, fmt.Sprintf("%s (%s) {%s} count=%d sum=%d", m.Name, m.Unit, setString(p.Attributes), p.Count, p.Sum))
				}
			case metricdata.Sum[int64]:
				for _, p := range data.DataPoints {
					lines = append(lines, fmt.Sprintf("%s (%s) {%s} count=%d", m.Name, m.Unit, setString(p.Attributes), p.Value))
				}
			}
		}
	}
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
}

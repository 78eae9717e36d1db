package metrics_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
)

func ExampleNewServerMetrics() {
	reg := prometheus.NewRegistry()
	srvMetrics := metrics.NewServerMetrics()
	reg.MustRegister(srvMetrics)

	srv := grpc.NewServer(interceptors.ServerOptions(srvMetrics)...)
	demov1.RegisterDemoServiceServer(srv, demo.NewService())
	srvMetrics.InitializeMetrics(srv) // series at zero; every method srv registers is known

	conn, stop := testsrv.Serve(srv)
	defer stop()
	client := demov1.NewDemoServiceClient(conn)
	_, _ = client.Echo(context.Background(), &demov1.EchoRequest{Message: "hello"})
	_, err := client.Echo(context.Background(), &demov1.EchoRequest{FailCode: 5})
	fmt.Println(err)

	printNonZero(reg, "Echo")
	fmt.Println("handled series of Chat before its first call:", countSeries(reg, "grpc_server_handled_total", "Chat"))
	// Output:
	// rpc error: code = NotFound desc = failure requested with fail_code 5
	// grpc_server_handled_total{grpc_code="NotFound",grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 1
	// grpc_server_handled_total{grpc_code="OK",grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 1
	// grpc_server_handling_seconds_count{grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 2
	// grpc_server_msg_received_total{grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 2
	// grpc_server_msg_sent_total{grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 1
	// grpc_server_started_total{grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 2
	// handled series of Chat before its first call: 17
}

func ExampleNewClientMetrics() {
	reg := prometheus.NewRegistry()
	cliMetrics := metrics.NewClientMetrics()
	reg.MustRegister(cliMetrics)

	srv := grpc.NewServer()
	demov1.RegisterDemoServiceServer(srv, demo.NewService())
	conn, stop := testsrv.Serve(srv, interceptors.DialOptions(cliMetrics)...)
	defer stop()

	stream, err := demov1.NewDemoServiceClient(conn).ServerStream(context.Background(), &demov1.ServerStreamRequest{Count: 3})
	for err == nil {
		_, err = stream.Recv()
	}
	// A method that no generated code in the program declares is counted as other.
	err = conn.Invoke(context.Background(), "/made.up.v1.Service/Anything", &demov1.EchoRequest{}, &demov1.EchoResponse{})
	fmt.Println(err)

	printNonZero(reg, "ServerStream")
	printNonZero(reg, "other")
	// Output:
	// rpc error: code = Unimplemented desc = unknown service made.up.v1.Service
	// grpc_client_handled_total{grpc_code="OK",grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 1
	// grpc_client_handling_seconds_count{grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 1
	// grpc_client_msg_received_total{grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 3
	// grpc_client_msg_sent_total{grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 1
	// grpc_client_started_total{grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 1
	// grpc_client_handled_total{grpc_code="Unimplemented",grpc_method="other",grpc_service="other",grpc_type="unary"} 1
	// grpc_client_handling_seconds_count{grpc_method="other",grpc_service="other",grpc_type="unary"} 1
	// grpc_client_msg_sent_total{grpc_method="other",grpc_service="other",grpc_type="unary"} 1
	// grpc_client_started_total{grpc_method="other",grpc_service="other",grpc_type="unary"} 1
}

// printNonZero prints the series of a method that are not zero, in the text format; for a
// histogram, its count.
func printNonZero(g prometheus.Gatherer, method string) {
	mfs, err := g.Gather()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var pairs []string
			var ofMethod bool
			for _, l := range m.GetLabel() {
				pairs = append(pairs, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
				ofMethod = ofMethod || (l.GetName() == "grpc_method" && l.GetValue() == method)
			}
			name, v := mf.GetName(), m.GetCounter().GetValue()+m.GetGauge().GetValue()
			if h := m.GetHistogram(); h != nil {
				name, v = name+"_count", float64(h.GetSampleCount())
			}
			if ofMethod && v != 0 {
				fmt.Printf("%s{%s} %v\n", name, strings.Join(pairs, ","), v)
			}
		}
	}
}

// countSeries counts the series of a family for a method.
func countSeries(g prometheus.Gatherer, family, method string) int {
	mfs, _ := g.Gather()
	n := 0
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if mf.GetName() == family && labelMap(m.GetLabel())["grpc_method"] == method {
				n++
			}
		}
	}
	return n
}

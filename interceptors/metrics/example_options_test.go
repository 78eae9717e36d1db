package metrics_test

import (
	"context"
	"fmt"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
)

// A client that calls a method without generated code (a dynamic client) lists it, and its
// calls get series of their own; an unlisted one is other.
func ExampleWithKnownMethods() {
	reg := prometheus.NewRegistry()
	cliMetrics := metrics.NewClientMetrics(metrics.WithKnownMethods("dynamic.v1.Catalog/Lookup"))
	reg.MustRegister(cliMetrics)

	srv := grpc.NewServer(grpc.UnknownServiceHandler(testsrv.EchoAnything))
	conn, stop := testsrv.Serve(srv, interceptors.DialOptions(cliMetrics)...)
	defer stop()
	for _, method := range []string{"/dynamic.v1.Catalog/Lookup", "/dynamic.v1.Catalog/Unlisted"} {
		_ = conn.Invoke(context.Background(), method, &demov1.EchoRequest{}, &demov1.EchoResponse{})
	}
	fmt.Println("Lookup:", countSeries(reg, "grpc_client_started_total", "Lookup"))
	fmt.Println("Unlisted:", countSeries(reg, "grpc_client_started_total", "Unlisted"))
	fmt.Println("other:", countSeries(reg, "grpc_client_started_total", "other"))
	// Output:
	// Lookup: 1
	// Unlisted: 0
	// other: 1
}

// An option given a value it cannot use makes Register fail, naming the option.
func ExampleWithHistogramBuckets_unsorted() {
	reg := prometheus.NewRegistry()
	err := reg.Register(metrics.NewServerMetrics(metrics.WithHistogramBuckets(0.1, 0.05, 1)))
	fmt.Println(err)
	// Output:
	// descriptor Desc{fqName: "", help: "", unit: "", constLabels: {}, variableLabels: {}} is invalid: metrics.WithHistogramBuckets: buckets not sorted: [0.1 0.05 1] (each bound must be greater than the one before)
}

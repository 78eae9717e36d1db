package interceptors_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
)

// A client that calls methods without generated code (a dynamic client) lists them on its
// stack, once for every signal: the listed method names its span and its series, an unlisted
// one is "grpc" and "other".
func ExampleWithKnownMethods() {
	stack, err := interceptors.NewStack(interceptors.WithKnownMethods("/dynamic.v1.Catalog/Lookup"))
	if err != nil {
		panic(err)
	}
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	reg := prometheus.NewRegistry()
	cliMetrics := metrics.NewClientMetrics()
	reg.MustRegister(cliMetrics)

	srv := grpc.NewServer(grpc.UnknownServiceHandler(testsrv.EchoAnything))
	conn, stop := testsrv.Serve(srv, stack.DialOptions(tracing.NewClient(tracing.WithTracerProvider(tp)), cliMetrics)...)
	defer stop()
	for _, method := range []string{"/dynamic.v1.Catalog/Lookup", "/dynamic.v1.Catalog/Unlisted"} {
		_ = conn.Invoke(context.Background(), method, &demov1.EchoRequest{}, &demov1.EchoResponse{})
	}
	var names []string
	for _, s := range spans.Ended() {
		names = append(names, s.Name())
	}
	fmt.Println("spans:", names)
	fmt.Println("series:", methodLabels(reg, "grpc_client_started_total"))
	// Output:
	// spans: [dynamic.v1.Catalog/Lookup grpc]
	// series: [Lookup other]
}

// methodLabels returns the sorted grpc_method values of a metric family.
func methodLabels(g prometheus.Gatherer, family string) []string {
	mfs, _ := g.Gather()
	var out []string
	for _, mf := range mfs {
		if mf.GetName() != family {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "grpc_method" {
					out = append(out, l.GetValue())
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

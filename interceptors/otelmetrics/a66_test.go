package otelmetrics_test

import (
	"slices"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/attribute"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// a66LatencyBuckets are grpc-go's stats/opentelemetry.DefaultLatencyBounds.
var a66LatencyBuckets = []float64{0, 0.00001, 0.00005, 0.0001, 0.0003, 0.0006, 0.0008, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01, 0.013, 0.016, 0.02, 0.025, 0.03, 0.04, 0.05, 0.065, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.65, 0.8, 1, 2, 5, 10, 20, 50, 100}

// With WithA66 the signal records gRFC A66's call metrics, named, labelled and bucketed as
// grpc-go's plugin does, and an unknown method is "other".
func TestA66Metrics(t *testing.T) {
	s := startStack(t, stackConfig{
		options: []otelmetrics.Option{otelmetrics.WithA66()},
		harness: []testsrv.Option{testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything))},
	})
	echo(t, s, codes.OK)
	echo(t, s, codes.Unavailable)
	var resp demov1.EchoResponse
	if err := s.Conn.Invoke(t.Context(), "/made.up.Service/Method", &demov1.EchoRequest{}, &resp); err != nil {
		t.Fatalf("made-up method: %v", err)
	}

	ms := s.collect(t)
	want := []string{"grpc.client.call.duration", "grpc.server.call.duration", "grpc.server.call.started"}
	if got := names(ms); !slices.Equal(got, want) {
		t.Fatalf("metrics %v, want %v (the compressed sizes need a stats handler)", got, want)
	}
	method := func(m string) attribute.KeyValue { return attribute.String("grpc.method", m) }
	status := func(c string) attribute.KeyValue { return attribute.String("grpc.status", c) }
	target := attribute.String("grpc.target", s.Conn.CanonicalTarget())

	started := metricNamed(t, ms, "grpc.server.call.started")
	if started.Unit != "{call}" || started.Description != "Number of server calls started." {
		t.Errorf("grpc.server.call.started: unit %q, description %q", started.Unit, started.Description)
	}
	if got := counterPoint(t, started, method(echoMethod)).Value; got != 2 {
		t.Errorf("grpc.server.call.started{Echo} = %d, want 2", got)
	}
	if got := counterPoint(t, started, method("other")).Value; got != 1 {
		t.Errorf("grpc.server.call.started{other} = %d, want 1", got)
	}

	for _, tc := range []struct {
		metric, description string
		attrs               []attribute.KeyValue
	}{
		{"grpc.server.call.duration", "End-to-end time taken to complete a call from server transport's perspective.", []attribute.KeyValue{method(echoMethod), status("OK")}},
		{"grpc.server.call.duration", "", []attribute.KeyValue{method(echoMethod), status("UNAVAILABLE")}},
		{"grpc.server.call.duration", "", []attribute.KeyValue{method("other"), status("OK")}},
		{"grpc.client.call.duration", "Time taken by gRPC to complete an RPC from application's perspective.", []attribute.KeyValue{method(echoMethod), target, status("OK")}},
		{"grpc.client.call.duration", "", []attribute.KeyValue{method(echoMethod), target, status("UNAVAILABLE")}},
		{"grpc.client.call.duration", "", []attribute.KeyValue{method("other"), target, status("OK")}},
	} {
		m := metricNamed(t, ms, tc.metric)
		if m.Unit != "s" {
			t.Errorf("%s: unit %q, want s", tc.metric, m.Unit)
		}
		if tc.description != "" && m.Description != tc.description {
			t.Errorf("%s: description %q, want %q", tc.metric, m.Description, tc.description)
		}
		p := histogramPoint(t, m, tc.attrs...)
		if p.Count != 1 {
			t.Errorf("%s{%s}: count %d, want 1", tc.metric, setString(p.Attributes), p.Count)
		}
		if !slices.Equal(p.Bounds, a66LatencyBuckets) {
			t.Errorf("%s: bounds %v, want grpc-go's %v", tc.metric, p.Bounds, a66LatencyBuckets)
		}
	}
}

// Both families at once, as during a migration from grpc-go's plugin to the semantic
// conventions: two signals in one stack, one pass, every call in each family.
func TestBothFamiliesInOneStack(t *testing.T) {
	s := startStack(t, stackConfig{also: []otelmetrics.Option{otelmetrics.WithA66()}})
	echo(t, s, codes.OK)
	ms := s.collect(t)
	want := []string{"grpc.client.call.duration", "grpc.server.call.duration", "grpc.server.call.started", "rpc.client.call.duration", "rpc.server.call.duration"}
	if got := names(ms); !slices.Equal(got, want) {
		t.Fatalf("metrics %v, want %v", got, want)
	}
	for _, name := range []string{"grpc.client.call.duration", "grpc.server.call.duration", "rpc.client.call.duration", "rpc.server.call.duration"} {
		if points := histogram(t, metricNamed(t, ms, name)); len(points) != 1 || points[0].Count != 1 {
			t.Errorf("%s: %d points, want one with the one call", name, len(points))
		}
	}
}

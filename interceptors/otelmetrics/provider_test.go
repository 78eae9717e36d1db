package otelmetrics_test

import (
	"context"
	"testing"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// Without WithMeterProvider the signal records through otel's global provider as it is at each
// call, so a provider set after the interceptors were built applies to the calls that follow.
func TestFollowsTheGlobalMeterProvider(t *testing.T) {
	t.Cleanup(func() { otel.SetMeterProvider(noop.NewMeterProvider()) })
	h := testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(otelmetrics.NewServer())...))

	first, second := sdkmetric.NewManualReader(), sdkmetric.NewManualReader()
	for _, reader := range []*sdkmetric.ManualReader{first, second} {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
		otel.SetMeterProvider(mp)
		if _, err := h.Demo().Echo(t.Context(), &demov1.EchoRequest{}); err != nil {
			t.Fatalf("Echo: %v", err)
		}
	}
	for name, reader := range map[string]*sdkmetric.ManualReader{"first": first, "second": second} {
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(context.Background(), &rm); err != nil {
			t.Fatalf("collect: %v", err)
		}
		if len(rm.ScopeMetrics) != 1 || len(rm.ScopeMetrics[0].Metrics) != 1 {
			t.Fatalf("the %s provider holds %v, want one metric", name, rm.ScopeMetrics)
		}
		points := rm.ScopeMetrics[0].Metrics[0].Data.(metricdata.Histogram[float64]).DataPoints
		if len(points) != 1 || points[0].Count != 1 {
			t.Errorf("the %s provider recorded %v, want the one call made while it was global", name, points)
		}
	}
}

// A nil or zero-value Server or Client records nothing and returns the no-op Reporter, never
// nil: other projects' interceptors call what they are given.
func TestNilAndZeroValueRecordNothing(t *testing.T) {
	meta := interceptors.CallMeta{Service: demoService, Method: "Echo", Typ: interceptors.Unary}
	ctx := context.Background()
	var nilServer *otelmetrics.Server
	var nilClient *otelmetrics.Client
	for name, rep := range map[string]interceptors.Reporter{
		"nil server":  first(nilServer.ServerReporter(ctx, meta)),
		"zero server": first((&otelmetrics.Server{}).ServerReporter(ctx, meta)),
		"nil client":  first(nilClient.ClientReporter(ctx, meta)),
		"zero client": first((&otelmetrics.Client{}).ClientReporter(ctx, meta)),
	} {
		if _, ok := rep.(mw.NoopReporter); !ok {
			t.Errorf("%s: Reporter %T, want mw.NoopReporter", name, rep)
		}
	}
}

func first(rep interceptors.Reporter, _ context.Context) interceptors.Reporter { return rep }

// A nil option, and WithMeterProvider(nil), are ignored: construction never fails, and the
// provider given stays.
func TestNilOptionsAreIgnored(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	srv := otelmetrics.NewServer(otelmetrics.WithMeterProvider(mp), otelmetrics.WithMeterProvider(nil), nil)
	h := testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(srv)...))
	if _, err := h.Demo().Echo(t.Context(), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect: %v", err)
	}
	if len(rm.ScopeMetrics) != 1 || rm.ScopeMetrics[0].Metrics[0].Name != "rpc.server.call.duration" {
		t.Errorf("the provider given holds %v, want rpc.server.call.duration", rm.ScopeMetrics)
	}
}

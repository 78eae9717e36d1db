package bench

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	grpcprometheus "github.com/grpc-ecosystem/go-grpc-prometheus"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// During a migration, go-grpc-prometheus v1.2.0 and grpcobs metrics may run side by side.
// Their names are the same, so one registry refuses the second set, ...
func TestGoGRPCPrometheusAndGrpcobsClashOnOneRegistry(t *testing.T) {
	for _, tc := range []struct {
		side   string
		theirs prometheus.Collector
		ours   prometheus.Collector
	}{
		{"server", newGoGRPCPrometheusServer(), metrics.NewServerMetrics()},
		{"client", newGoGRPCPrometheusClient(), metrics.NewClientMetrics()},
	} {
		reg := prometheus.NewRegistry()
		reg.MustRegister(tc.theirs)
		if err := reg.Register(tc.ours); err == nil {
			t.Errorf("%s: grpcobs metrics registered next to go-grpc-prometheus' without a namespace; want a clash", tc.side)
		}
	}
}

// ... and WithNamespace lets both count the same calls on one registry. The counts also show
// the differences docs/metrics.md lists: go-grpc-prometheus counts a unary client call's
// response as received only when the call failed, and never counts a client-streaming call that
// succeeded as handled on the client.
func TestGoGRPCPrometheusAndGrpcobsSideBySideWithANamespace(t *testing.T) {
	reg := prometheus.NewRegistry()
	theirServer, theirClient := newGoGRPCPrometheusServer(), newGoGRPCPrometheusClient()
	ourServer := metrics.NewServerMetrics(metrics.WithNamespace("grpcobs"))
	ourClient := metrics.NewClientMetrics(metrics.WithNamespace("grpcobs"))
	for _, c := range []prometheus.Collector{theirServer, theirClient, ourServer, ourClient} {
		if err := reg.Register(c); err != nil {
			t.Fatalf("Register: %v", err)
		}
	}
	h := testsrv.Start(t,
		testsrv.WithServerOptions(append([]grpc.ServerOption{
			grpc.ChainUnaryInterceptor(theirServer.UnaryServerInterceptor()),
			grpc.ChainStreamInterceptor(theirServer.StreamServerInterceptor()),
		}, interceptors.ServerOptions(ourServer)...)...),
		testsrv.WithDialOptions(append([]grpc.DialOption{
			grpc.WithChainUnaryInterceptor(theirClient.UnaryClientInterceptor()),
			grpc.WithChainStreamInterceptor(theirClient.StreamClientInterceptor()),
		}, interceptors.DialOptions(ourClient)...)...),
	)
	demo := h.Demo()
	echo := `grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"`
	clientStream := `grpc_method="ClientStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="client_stream"`
	received := "grpc_client_msg_received_total{" + echo + "}"

	if _, err := demo.Echo(t.Context(), &demov1.EchoRequest{Message: "ok"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	// A successful unary call: go-grpc-prometheus counts no response received, grpcobs one.
	if got := counters(t, reg); got[received] != 0 || got["grpcobs_"+received] != 1 {
		t.Errorf("after a successful Echo, %s: go-grpc-prometheus %v, grpcobs %v; want 0 and 1", received, got[received], got["grpcobs_"+received])
	}
	if _, err := demo.Echo(t.Context(), &demov1.EchoRequest{FailCode: int32(codes.NotFound)}); status.Code(err) != codes.NotFound {
		t.Fatalf("failing Echo: got %v, want NotFound", err)
	}
	stream, err := demo.ClientStream(t.Context())
	if err != nil {
		t.Fatalf("ClientStream: %v", err)
	}
	for range 2 {
		if err := stream.Send(&demov1.ClientStreamRequest{}); err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("ClientStream: send: %v", err)
		}
	}
	if _, err := stream.CloseAndRecv(); err != nil {
		t.Fatalf("ClientStream: %v", err)
	}

	got := counters(t, reg)
	for _, tc := range []struct {
		series       string
		theirs, ours float64
	}{
		// The same on both sides of the call.
		{"grpc_server_started_total{" + echo + "}", 2, 2},
		{`grpc_server_handled_total{grpc_code="OK",` + echo + "}", 1, 1},
		{`grpc_server_handled_total{grpc_code="NotFound",` + echo + "}", 1, 1},
		{"grpc_server_msg_received_total{" + echo + "}", 2, 2},
		{"grpc_server_msg_sent_total{" + echo + "}", 1, 1},
		{"grpc_client_started_total{" + echo + "}", 2, 2},
		{"grpc_client_msg_sent_total{" + echo + "}", 2, 2},
		{"grpc_server_msg_received_total{" + clientStream + "}", 2, 2},
		{`grpc_server_handled_total{grpc_code="OK",` + clientStream + "}", 1, 1},
		{"grpc_client_msg_sent_total{" + clientStream + "}", 2, 2},
		// go-grpc-prometheus counted the failed call's response (none came), grpcobs the
		// successful call's.
		{received, 1, 1},
		// Only grpcobs counts the client-streaming call as handled on the client.
		{`grpc_client_handled_total{grpc_code="OK",` + clientStream + "}", 0, 1},
	} {
		if theirs, ours := got[tc.series], got["grpcobs_"+tc.series]; theirs != tc.theirs || ours != tc.ours {
			t.Errorf("%s: go-grpc-prometheus %v, grpcobs %v; want %v and %v", tc.series, theirs, ours, tc.theirs, tc.ours)
		}
	}
	// The registry gathers both sets, none refused.
	if _, err := reg.Gather(); err != nil {
		t.Errorf("Gather: %v", err)
	}
}

func newGoGRPCPrometheusServer() *grpcprometheus.ServerMetrics {
	m := grpcprometheus.NewServerMetrics()
	m.EnableHandlingTimeHistogram()
	return m
}

func newGoGRPCPrometheusClient() *grpcprometheus.ClientMetrics {
	m := grpcprometheus.NewClientMetrics()
	m.EnableClientHandlingTimeHistogram()
	return m
}

// counters are the counter series of reg, each as name{label="value",…} with the labels sorted.
func counters(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	out := map[string]float64{}
	for _, family := range families {
		for _, m := range family.GetMetric() {
			if m.GetCounter() == nil {
				continue
			}
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			slices.Sort(labels)
			out[family.GetName()+"{"+strings.Join(labels, ",")+"}"] = m.GetCounter().GetValue()
		}
	}
	return out
}

package tracing_test

import (
	"context"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func TestNotHealthCheckDropsTheSpanButNotTheCall(t *testing.T) {
	tr := newTraces(t)
	filter := []tracing.Option{tracing.WithFilter(tracing.NotHealthCheck)}
	h := startTraced(t, tr, filter, filter, testsrv.WithRegister(func(s *grpc.Server) {
		demov1.RegisterDemoServiceServer(s, demo.NewService())
		healthpb.RegisterHealthServer(s, health.NewServer())
	}))

	resp, err := healthpb.NewHealthClient(h.Conn).Check(testContext(t), &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health Check: %v, %v; want SERVING", resp, err)
	}
	if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	names := spanNames(tr.ended(t, 2))
	sort.Strings(names)
	if diff := cmp.Diff([]string{"client " + echoMethod, "server " + echoMethod}, names); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
}

func TestFiltersCompose(t *testing.T) {
	health := interceptors.CallMeta{Service: "grpc.health.v1.Health", Method: "Check"}
	echo := interceptors.CallMeta{Service: "grpcobs.demo.v1.DemoService", Method: "Echo"}
	chat := interceptors.CallMeta{Service: "grpcobs.demo.v1.DemoService", Method: "Chat"}
	other := interceptors.CallMeta{Service: "other.v1.Other", Method: "Echo"}
	calls := []interceptors.CallMeta{health, echo, chat, other}

	for _, tc := range []struct {
		name   string
		filter tracing.Filter
		want   []bool // for health, echo, chat, other
	}{
		{"HealthCheck", tracing.HealthCheck, []bool{true, false, false, false}},
		{"NotHealthCheck", tracing.NotHealthCheck, []bool{false, true, true, true}},
		{"Services", tracing.Services("grpcobs.demo.v1.DemoService"), []bool{false, true, true, false}},
		{"Methods with and without slash", tracing.Methods("/grpcobs.demo.v1.DemoService/Echo", "other.v1.Other/Echo"), []bool{false, true, false, true}},
		{"Methods ignores names without a method", tracing.Methods("grpcobs.demo.v1.DemoService"), []bool{false, false, false, false}},
		{"Not", tracing.Not(tracing.Services("other.v1.Other")), []bool{true, true, true, false}},
		{"Not nil", tracing.Not(nil), []bool{false, false, false, false}},
		{"All", tracing.All(tracing.NotHealthCheck, tracing.Services("grpcobs.demo.v1.DemoService"), nil), []bool{false, true, true, false}},
		{"All of none", tracing.All(), []bool{true, true, true, true}},
		{"Any", tracing.Any(tracing.HealthCheck, tracing.Methods("/grpcobs.demo.v1.DemoService/Chat"), nil), []bool{true, false, true, false}},
		{"Any of none", tracing.Any(), []bool{false, false, false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make([]bool, len(calls))
			for i, meta := range calls {
				got[i] = tc.filter(context.Background(), meta)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("for health, echo, chat, other (-want +got):\n%s", diff)
			}
		})
	}
}

package tracing_test

import (
	"sort"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/baggage"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func TestNotHealthChecksDropsTheSpanButNotTheCall(t *testing.T) {
	tr := newTraces(t)
	noChecks := []tracing.Option{tracing.WithFilter(filter.Not(filter.HealthChecks()))}
	h := startTraced(t, tr, noChecks, noChecks, testsrv.WithRegister(func(s *grpc.Server) {
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

// Several WithFilter keep a call only when every one keeps it, and a filter sees the call at
// its start: its side, no outcome, and its context (on the server, with the caller's baggage
// extracted).
func TestSeveralFiltersKeepWhatEveryOneKeeps(t *testing.T) {
	tr := newTraces(t)
	var mu sync.Mutex
	var seen []filter.Call
	record := func(c filter.Call) bool {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, c)
		return true
	}
	onlyEcho := []tracing.Option{
		tracing.WithFilter(record),
		tracing.WithFilter(filter.Not(filter.HealthChecks())),
		tracing.WithFilter(filter.Methods("/" + echoMethod)),
	}
	h := startTraced(t, tr, onlyEcho, onlyEcho, testsrv.WithRegister(func(s *grpc.Server) {
		demov1.RegisterDemoServiceServer(s, demo.NewService())
		healthpb.RegisterHealthServer(s, health.NewServer())
	}))
	if _, err := healthpb.NewHealthClient(h.Conn).Check(testContext(t), &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatalf("health Check: %v", err)
	}
	ctx := testsrv.WithBaggage(t, testContext(t), "tenant", "acme")
	if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{FailCode: 5}); err == nil {
		t.Fatal("Echo with fail_code 5 succeeded")
	}
	names := spanNames(tr.ended(t, 4))
	sort.Strings(names)
	want := []string{"client " + echoMethod, "client " + echoMethod, "server " + echoMethod, "server " + echoMethod}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}

	mu.Lock()
	defer mu.Unlock()
	var echoServerWithBaggage int
	for _, c := range seen {
		if c.Finished || c.Err != nil || c.Duration != 0 || c.Context == nil || c.Type != interceptors.Unary {
			t.Errorf("a filter saw %+v, want an unfinished unary call with its context", c)
		}
		if !c.IsClient && c.Method == "Echo" && baggage.FromContext(c.Context).Member("tenant").Value() == "acme" {
			echoServerWithBaggage++
		}
	}
	if len(seen) != 6 || echoServerWithBaggage != 1 {
		t.Errorf("the filter saw %d calls (want 6: three calls, both sides), %d of them the server's Echo with the caller's baggage (want 1)", len(seen), echoServerWithBaggage)
	}
}

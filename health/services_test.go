package health_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// cartService is a second gRPC service (with no methods) for the server to expose.
var cartService = grpc.ServiceDesc{ServiceName: "shop.v1.CartService", HandlerType: (*any)(nil)}

// serveApp serves, on loopback TCP, the demo service, the cart service, r's health service
// and server reflection, as an application server would.
func serveApp(t *testing.T, r *health.Registry) *testsrv.Harness {
	t.Helper()
	return testsrv.Start(t, testsrv.WithTCP(), testsrv.WithRegister(func(s *grpc.Server) {
		demov1.RegisterDemoServiceServer(s, demo.NewService())
		s.RegisterService(&cartService, struct{}{})
		healthpb.RegisterHealthServer(s, health.NewServer(r))
		reflection.Register(s)
	}))
}

// appServices are the services of serveApp that AddServer adds.
var appServices = []string{"grpcobs.demo.v1.DemoService", "shop.v1.CartService"}

// probeAll probes every service of services and fails the test unless each exits want.
func probeAll(t *testing.T, addr string, services []string, want int) {
	t.Helper()
	for _, service := range services {
		if code, out := probe(t, addr, service); code != want {
			t.Errorf("grpc_health_probe -service=%q: exit %d (%s), want %d", service, code, out, want)
		}
	}
}

func TestAddServerServesEveryServiceFollowingOverall(t *testing.T) {
	probeBinary(t)
	r, _ := newRegistry(t)
	db := &dependency{}
	if err := r.Register("db", db, withFast()...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	h := serveApp(t, r)
	added, err := r.AddServer(h.Server)
	if err != nil {
		t.Fatalf("AddServer: %v", err)
	}
	if diff := cmp.Diff(appServices, added); diff != "" {
		t.Errorf("AddServer added (-want +got):\n%s", diff)
	}
	client := healthpb.NewHealthClient(h.Conn)
	watch, err := client.Watch(rpcContext(t), &healthpb.HealthCheckRequest{Service: "shop.v1.CartService"})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	recvStatus(t, watch, notServing) // db has no result yet: Overall is NOT_SERVING
	probeAll(t, h.Addr, appServices, probeUnhealthy)
	// gRPC's own services are not health services.
	probeAll(t, h.Addr, []string{"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"}, probeRPCFailed)

	r.Start(context.Background())
	recvStatus(t, watch, serving)
	probeAll(t, h.Addr, appServices, probeServing)
	want := map[string]healthpb.HealthCheckResponse_ServingStatus{
		"": serving, "liveness": serving, "readiness": serving,
		"grpcobs.demo.v1.DemoService": serving, "shop.v1.CartService": serving,
	}
	if diff := cmp.Diff(want, listStatuses(t, client)); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}

	db.set(errDown)
	recvStatus(t, watch, notServing)
	probeAll(t, h.Addr, appServices, probeUnhealthy)
	db.set(nil)
	recvStatus(t, watch, serving)

	// Overall set NOT_SERVING by hand: the services follow it; liveness does not.
	if err := r.SetServingStatus(health.Overall, notServing); err != nil {
		t.Fatalf("SetServingStatus: %v", err)
	}
	recvStatus(t, watch, notServing)
	probeAll(t, h.Addr, appServices, probeUnhealthy)
	probeAll(t, h.Addr, []string{health.Liveness}, probeServing)
	if err := r.SetServingStatus(health.Overall, serving); err != nil {
		t.Fatalf("SetServingStatus: %v", err)
	}
	recvStatus(t, watch, serving)

	// A service set by hand keeps its own override.
	if err := r.SetServingStatus("shop.v1.CartService", notServing); err != nil {
		t.Fatalf("SetServingStatus: %v", err)
	}
	recvStatus(t, watch, notServing)
	probeAll(t, h.Addr, []string{"shop.v1.CartService"}, probeUnhealthy)
	probeAll(t, h.Addr, []string{"grpcobs.demo.v1.DemoService"}, probeServing)
}

func TestAddServerGatedByChosenChecks(t *testing.T) {
	probeBinary(t)
	r, _ := newRegistry(t)
	db, payments := &dependency{}, &dependency{}
	if err := r.Register("db", db, withFast()...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if err := r.Register("payments", payments, withFast(health.Gates("payments.v1.PaymentService"))...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	h := serveApp(t, r)
	if _, err := r.AddServer(h.Server, health.GatedBy("nope")); err == nil {
		t.Errorf("AddServer gated by a check that is not registered: no error")
	}
	if _, ok := r.Status("shop.v1.CartService"); ok {
		t.Errorf("a failed AddServer added services")
	}
	if _, err := r.AddServer(nil); err == nil {
		t.Errorf("AddServer(nil): no error")
	}
	if _, err := r.AddServer(h.Server, health.GatedBy("payments")); err != nil {
		t.Fatalf("AddServer: %v", err)
	}
	r.Start(context.Background())
	for _, s := range appServices {
		awaitStatus(t, r, s, serving)
	}
	probeAll(t, h.Addr, appServices, probeServing)

	// db gates Overall, not the services.
	db.set(errDown)
	awaitStatus(t, r, health.Overall, notServing)
	probeAll(t, h.Addr, appServices, probeServing)
	probeAll(t, h.Addr, []string{health.Overall}, probeUnhealthy)

	// payments gates them.
	payments.set(errDown)
	for _, s := range appServices {
		awaitStatus(t, r, s, notServing)
	}
	probeAll(t, h.Addr, appServices, probeUnhealthy)
	payments.set(nil)
	for _, s := range appServices {
		awaitStatus(t, r, s, serving)
	}
	probeAll(t, h.Addr, appServices, probeServing)

	// Shutdown wins.
	r.Shutdown()
	probeAll(t, h.Addr, appServices, probeUnhealthy)
}

func TestAddServerAgainAddsNewServicesAndSetsTheGatingAnew(t *testing.T) {
	r, _ := newRegistry(t)
	payments := &dependency{err: errDown}
	if err := r.Register("payments", payments, health.Gates("payments.v1.PaymentService")); err != nil { // pending
		t.Fatalf("Register: %v", err)
	}
	srv := grpc.NewServer()
	t.Cleanup(srv.Stop)
	srv.RegisterService(&cartService, struct{}{})
	added, err := r.AddServer(srv)
	if err != nil || !cmp.Equal(added, []string{"shop.v1.CartService"}) {
		t.Fatalf("AddServer = %v, %v; want [shop.v1.CartService]", added, err)
	}
	if st, _ := r.Status("shop.v1.CartService"); st != serving {
		t.Errorf("cart following Overall, which no check gates: %v, want SERVING", st)
	}

	demov1.RegisterDemoServiceServer(srv, demo.NewService())
	added, err = r.AddServer(srv, health.GatedBy("payments"))
	if err != nil || !cmp.Equal(added, appServices) {
		t.Fatalf("AddServer again = %v, %v; want %v", added, err, appServices)
	}
	for _, s := range appServices {
		if st, _ := r.Status(s); st != notServing {
			t.Errorf("%s gated by the pending payments check: %v, want NOT_SERVING", s, st)
		}
	}
}

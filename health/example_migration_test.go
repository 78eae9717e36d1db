package health_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/grpcobs/grpcobs/health"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// Code written for grpc-go's health.Server keeps its SetServingStatus calls: the status set
// by hand composes with the checks.
func ExampleServer_SetServingStatus() {
	registry := health.NewRegistry(health.WithLogger(quietLogger()))
	payments := health.CheckFunc(func(ctx context.Context) error { return errors.New("connection refused") })
	if err := registry.Register("payments", payments, health.Gates("shop.v1.CheckoutService")); err != nil {
		fmt.Println(err)
		return
	}
	registry.Start(context.Background())
	defer registry.Stop()

	// Was: healthServer := health.NewServer() from google.golang.org/grpc/health.
	healthServer := health.NewServer(registry)
	grpcServer := grpc.NewServer()
	healthpb.RegisterHealthServer(grpcServer, healthServer)
	show := func(service string) {
		st, _ := registry.Status(service)
		fmt.Printf("%s: %v\n", service, st)
	}

	// Warming a cache: hold the service NOT_SERVING by hand; a name no check knows becomes
	// a health service, as with grpc-go's server.
	healthServer.SetServingStatus("shop.v1.CartService", healthpb.HealthCheckResponse_NOT_SERVING)
	show("shop.v1.CartService")
	// Warm: SERVING hands the service back to its checks (it has none).
	healthServer.SetServingStatus("shop.v1.CartService", healthpb.HealthCheckResponse_SERVING)
	show("shop.v1.CartService")
	// SERVING by hand never hides a failing check.
	healthServer.SetServingStatus("shop.v1.CheckoutService", healthpb.HealthCheckResponse_SERVING)
	waitUntil(registry, "shop.v1.CheckoutService", healthpb.HealthCheckResponse_NOT_SERVING)
	show("shop.v1.CheckoutService")
	// Output:
	// shop.v1.CartService: NOT_SERVING
	// shop.v1.CartService: SERVING
	// shop.v1.CheckoutService: NOT_SERVING
}

// One call makes every service of a grpc.Server a health service, in place of one
// SetServingStatus per service.
func ExampleRegistry_AddServer() {
	registry := health.NewRegistry(health.WithLogger(quietLogger()))
	database := health.CheckFunc(func(ctx context.Context) error { return nil })
	if err := registry.Register("database", database); err != nil {
		fmt.Println(err)
		return
	}

	grpcServer := grpc.NewServer()
	demov1.RegisterDemoServiceServer(grpcServer, demov1.UnimplementedDemoServiceServer{})
	healthpb.RegisterHealthServer(grpcServer, health.NewServer(registry))
	reflection.Register(grpcServer)
	// After registering the services. Each follows Overall; health.GatedBy("database")
	// would make it follow that check alone.
	services, err := registry.AddServer(grpcServer)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("health services:", services)
	st, _ := registry.Status("grpcobs.demo.v1.DemoService")
	fmt.Println("before the database answered:", st)

	registry.Start(context.Background())
	defer registry.Stop()
	waitUntil(registry, "grpcobs.demo.v1.DemoService", healthpb.HealthCheckResponse_SERVING)
	st, _ = registry.Status("grpcobs.demo.v1.DemoService")
	fmt.Println("once it did:", st)
	// Output:
	// health services: [grpcobs.demo.v1.DemoService]
	// before the database answered: NOT_SERVING
	// once it did: SERVING
}

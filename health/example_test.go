package health_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/grpcobs/grpcobs/health"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// quietLogger keeps the examples' output to what they print.
func quietLogger() *logrus.Logger {
	logger := logrus.New()
	logger.SetOutput(io.Discard)
	return logger
}

// waitUntil blocks until service has status want, or ten seconds passed.
func waitUntil(registry *health.Registry, service string, want healthpb.HealthCheckResponse_ServingStatus) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for st := range registry.Watch(ctx, service) {
		if st == want {
			return
		}
	}
}

func ExampleRegistry() {
	registry := health.NewRegistry(health.WithLogger(quietLogger()))

	// A dependency check: checks.SQL(db), checks.TCP(addr)… or any func(ctx) error.
	database := health.CheckFunc(func(ctx context.Context) error { return nil })
	if err := registry.Register("database", database, health.Every(5*time.Second), health.Timeout(time.Second)); err != nil {
		fmt.Println(err)
		return
	}
	// A liveness check: something that only a restart fixes.
	deadlock := health.CheckFunc(func(ctx context.Context) error { return nil })
	if err := registry.Register("event-loop", deadlock, health.Gates(health.Liveness)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(registry.Register("database", database))

	readiness, _ := registry.Status(health.Readiness)
	fmt.Println("readiness before the first result:", readiness)

	registry.Start(context.Background())
	defer registry.Stop()
	waitUntil(registry, health.Readiness, healthpb.HealthCheckResponse_SERVING)
	waitUntil(registry, health.Liveness, healthpb.HealthCheckResponse_SERVING)

	for _, ck := range registry.Report().Checks {
		fmt.Printf("check %s: %v, gates %q\n", ck.Name, ck.Status, ck.Gates)
	}
	for _, service := range []string{health.Overall, health.Liveness, health.Readiness} {
		st, _ := registry.Status(service)
		fmt.Printf("service %q: %v\n", service, st)
	}
	// Output:
	// health: check "database" is already registered
	// readiness before the first result: NOT_SERVING
	// check database: passing, gates ["" "readiness"]
	// check event-loop: passing, gates ["liveness"]
	// service "": SERVING
	// service "liveness": SERVING
	// service "readiness": SERVING
}

func ExampleServer() {
	registry := health.NewRegistry(health.WithLogger(quietLogger()))
	upstream := health.CheckFunc(func(ctx context.Context) error { return errors.New("connection refused") })
	if err := registry.Register("upstream", upstream, health.Gates("shop.v1.CartService")); err != nil {
		fmt.Println(err)
		return
	}
	if err := registry.AddService("shop.v1.CatalogService"); err != nil {
		fmt.Println(err)
		return
	}
	registry.Start(context.Background())
	defer registry.Stop()

	// Serve grpc.health.v1 on loopback, and ask it as a probe would.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	grpcServer := grpc.NewServer()
	healthServer := health.NewServer(registry)
	healthpb.RegisterHealthServer(grpcServer, healthServer)
	go func() { _ = grpcServer.Serve(lis) }()
	defer grpcServer.Stop()

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = conn.Close() }()
	client := healthpb.NewHealthClient(conn)
	check := func(service string) {
		resp, err := client.Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
		if err != nil {
			fmt.Printf("%q: %v %s\n", service, status.Code(err), status.Convert(err).Message())
			return
		}
		fmt.Printf("%q: %v\n", service, resp.GetStatus())
	}

	for _, service := range []string{"", "readiness", "shop.v1.CartService", "shop.v1.CatalogService", "shop.v1.Nope"} {
		check(service)
	}

	// On SIGTERM: every service NOT_SERVING, so that balancers drain the server first.
	healthServer.Shutdown()
	check("shop.v1.CatalogService")
	// Output:
	// "": SERVING
	// "readiness": SERVING
	// "shop.v1.CartService": NOT_SERVING
	// "shop.v1.CatalogService": SERVING
	// "shop.v1.Nope": NotFound unknown service
	// "shop.v1.CatalogService": NOT_SERVING
}

func ExampleNewHandler() {
	registry := health.NewRegistry(health.WithLogger(quietLogger()))
	if err := registry.Register("database", health.CheckFunc(func(ctx context.Context) error { return nil })); err != nil {
		fmt.Println(err)
		return
	}
	// Probes get the status alone.
	mux := http.NewServeMux()
	mux.Handle("/healthz", health.NewHandler(registry, health.Liveness))
	mux.Handle("/readyz", health.NewHandler(registry, health.Readiness))
	server := httptest.NewServer(mux)
	defer server.Close()
	// Operators, on a listener only they reach, get the report with the checks' errors.
	adminMux := http.NewServeMux()
	adminMux.Handle("/readyz", health.NewHandler(registry, health.Readiness, health.WithDetails()))
	admin := httptest.NewServer(adminMux)
	defer admin.Close()

	get := func(url, path string, printBody bool) {
		resp, err := http.Get(url + path)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		fmt.Println(path, resp.Status)
		if printBody {
			fmt.Print(string(body))
		}
	}

	// Not started yet: the database check has no result, so the server is live but not ready.
	get(server.URL, "/healthz", true)
	get(server.URL, "/readyz", true)
	get(admin.URL, "/readyz", true)

	registry.Start(context.Background())
	defer registry.Stop()
	waitUntil(registry, health.Readiness, healthpb.HealthCheckResponse_SERVING)
	get(server.URL, "/readyz", false)
	// Output:
	// /healthz 200 OK
	// {
	//   "status": "SERVING"
	// }
	// /readyz 503 Service Unavailable
	// {
	//   "status": "NOT_SERVING"
	// }
	// /readyz 503 Service Unavailable
	// {
	//   "service": "readiness",
	//   "status": "NOT_SERVING",
	//   "shutdown": false,
	//   "services": {
	//     "": "NOT_SERVING",
	//     "liveness": "SERVING",
	//     "readiness": "NOT_SERVING"
	//   },
	//   "checks": [
	//     {
	//       "name": "database",
	//       "status": "pending",
	//       "critical": true,
	//       "gates": [
	//         "",
	//         "readiness"
	//       ],
	//       "last_duration_seconds": 0,
	//       "consecutive_failures": 0,
	//       "consecutive_successes": 0,
	//       "interval_seconds": 10,
	//       "timeout_seconds": 1,
	//       "failure_threshold": 3,
	//       "success_threshold": 1
	//     }
	//   ]
	// }
	// /readyz 200 OK
}

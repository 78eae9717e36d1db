package interceptors_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/selector"
	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"
)

// authenticate accepts the calls that carry "authorization: Bearer demo".
func authenticate(ctx context.Context) (context.Context, error) {
	token, err := auth.AuthFromMD(ctx, "bearer")
	if err != nil {
		return nil, err
	}
	if token != "demo" {
		return nil, status.Error(codes.Unauthenticated, "bad token")
	}
	return ctx, nil
}

// handledTotal reads grpc_server_handled_total for a method and code from reg.
func handledTotal(reg *prometheus.Registry, method, code string) float64 {
	families, err := reg.Gather()
	if err != nil {
		return -1
	}
	for _, f := range families {
		if f.GetName() != "grpc_server_handled_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["grpc_method"] == method && labels["grpc_code"] == code {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// needsAuth is false for the calls probes and reflection clients make without credentials
// (docs/getting-started.md has the same matcher).
func needsAuth(_ context.Context, c interceptors.CallMeta) bool {
	switch c.Service {
	case "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection":
		return false
	}
	return true
}

// echoService is the service of the example: Echo returns the message, and panics when the
// message is "panic".
type echoService struct {
	demov1.UnimplementedDemoServiceServer
}

func (echoService) Echo(_ context.Context, req *demov1.EchoRequest) (*demov1.EchoResponse, error) {
	if req.GetMessage() == "panic" {
		panic("the handler exploded")
	}
	return &demov1.EchoResponse{Message: req.GetMessage()}, nil
}

// A server that combines the grpcobs stack with go-grpc-middleware's auth (skipped for the
// health and reflection services by a selector, so probes pass), recovery (innermost, with
// RecoverPanic) and the health server, served on loopback TCP. It imports nothing of grpcobs'
// internals: copy it whole.
// Rejected, failed and panicking calls are all traced, counted and logged, with the code the
// caller got.
func ExampleServerOptions_withGoGRPCMiddleware() {
	tp := sdktrace.NewTracerProvider()
	defer func() { _ = tp.Shutdown(context.Background()) }()
	logger := logrus.New()
	logger.SetOutput(io.Discard)
	reg := prometheus.NewRegistry()
	serverMetrics := metrics.NewServerMetrics()
	reg.MustRegister(serverMetrics)

	recoveryOpt := recovery.WithRecoveryHandlerContext(interceptors.RecoverPanic)
	srv := grpc.NewServer(append(interceptors.ServerOptions(
		tracing.NewServer(tracing.WithTracerProvider(tp), tracing.WithFilter(filter.Not(filter.HealthChecks()))),
		serverMetrics,
		logging.NewServer(logger, logging.WithFilter(filter.HealthChecksOnlyOnFailure())),
	),
		grpc.ChainUnaryInterceptor(
			selector.UnaryServerInterceptor(auth.UnaryServerInterceptor(authenticate), selector.MatchFunc(needsAuth)),
			recovery.UnaryServerInterceptor(recoveryOpt),
		),
		grpc.ChainStreamInterceptor(
			selector.StreamServerInterceptor(auth.StreamServerInterceptor(authenticate), selector.MatchFunc(needsAuth)),
			recovery.StreamServerInterceptor(recoveryOpt),
		),
	)...)
	demov1.RegisterDemoServiceServer(srv, echoService{})
	serverMetrics.InitializeMetrics(srv)

	registry := health.NewRegistry(health.WithLogger(logger))
	_ = registry.Register("database", health.CheckFunc(func(context.Context) error { return nil }), health.Every(time.Second))
	registry.Start(context.Background())
	defer registry.Stop()
	healthpb.RegisterHealthServer(srv, health.NewServer(registry))
	reflection.Register(srv)

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = conn.Close() }()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := demov1.NewDemoServiceClient(conn)
	authorized := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer demo")
	for _, call := range []struct {
		ctx     context.Context
		message string
	}{{ctx, "no token"}, {authorized, "hello"}, {authorized, "panic"}} {
		_, err := client.Echo(call.ctx, &demov1.EchoRequest{Message: call.message})
		fmt.Printf("Echo %q: %v\n", call.message, status.Code(err))
	}
	watch, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{Service: health.Readiness})
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		resp, err := watch.Recv()
		if err != nil {
			fmt.Println(err)
			return
		}
		if resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			fmt.Println("readiness, without a token:", resp.GetStatus())
			break
		}
	}
	for _, code := range []string{"Unauthenticated", "OK", "Internal"} {
		fmt.Printf("grpc_server_handled_total{grpc_method=\"Echo\",grpc_code=%q} %v\n", code, handledTotal(reg, "Echo", code))
	}
	// Output:
	// Echo "no token": Unauthenticated
	// Echo "hello": OK
	// Echo "panic": Internal
	// readiness, without a token: SERVING
	// grpc_server_handled_total{grpc_method="Echo",grpc_code="Unauthenticated"} 1
	// grpc_server_handled_total{grpc_method="Echo",grpc_code="OK"} 1
	// grpc_server_handled_total{grpc_method="Echo",grpc_code="Internal"} 1
}

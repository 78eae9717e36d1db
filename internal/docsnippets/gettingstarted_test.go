package docsnippets_test

import (
	"context"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/ratelimit"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/selector"
	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/docsnippets/pb"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// gettingStartedServer is the server of docs/getting-started.md's "Ordering with
// go-grpc-middleware". Each region between a "begin: docs/getting-started.md" and an "end"
// comment in this file is, line for line, one of that page's ```go blocks
// (TestGettingStartedBlocksAreThisCode checks it), so the server the probe test runs is the
// one the page shows.
func gettingStartedServer(tracingServer *tracing.Server, serverMetrics *metrics.ServerMetrics, loggingServer *logging.Server,
	authenticate auth.AuthFunc, limiter ratelimit.Limiter, impl pb.YourServiceServer, registry *health.Registry) *grpc.Server {
	// begin: docs/getting-started.md
	recoveryOpt := recovery.WithRecoveryHandlerContext(interceptors.RecoverPanic)
	authenticated := selector.MatchFunc(needsAuth)
	srv := grpc.NewServer(append(interceptors.ServerOptions(tracingServer, serverMetrics, loggingServer),
		grpc.ChainUnaryInterceptor(
			// Inside the stack: rejected and rate-limited calls are traced, counted, logged.
			selector.UnaryServerInterceptor(auth.UnaryServerInterceptor(authenticate), authenticated),
			ratelimit.UnaryServerInterceptor(limiter),
			recovery.UnaryServerInterceptor(recoveryOpt), // innermost: next to the handler
		),
		grpc.ChainStreamInterceptor(
			selector.StreamServerInterceptor(auth.StreamServerInterceptor(authenticate), authenticated),
			ratelimit.StreamServerInterceptor(limiter),
			recovery.StreamServerInterceptor(recoveryOpt),
		),
	)...)
	pb.RegisterYourServiceServer(srv, impl)
	healthpb.RegisterHealthServer(srv, health.NewServer(registry))
	reflection.Register(srv)
	// end: docs/getting-started.md
	return srv
}

// begin: docs/getting-started.md
// needsAuth is false for the calls probes and reflection clients make without credentials.
func needsAuth(_ context.Context, c interceptors.CallMeta) bool {
	switch c.Service {
	case "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection":
		return false
	}
	return true
}

// end: docs/getting-started.md

// authInFront is the trap the page warns of: the same server with auth in front of every
// service, the health service included.
func authInFront(authenticate auth.AuthFunc, registry *health.Registry) *grpc.Server {
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(auth.UnaryServerInterceptor(authenticate)),
		grpc.ChainStreamInterceptor(auth.StreamServerInterceptor(authenticate)))
	healthpb.RegisterHealthServer(srv, health.NewServer(registry))
	return srv
}

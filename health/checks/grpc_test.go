package checks_test

import (
	"testing"

	"github.com/grpcobs/grpcobs/health/checks"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	grpchealth "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func TestGRPCAsksTheUpstreamsHealthService(t *testing.T) {
	const service = "users.v1.UserService"
	upstream := grpchealth.NewServer()
	upstream.SetServingStatus(service, healthpb.HealthCheckResponse_SERVING)
	h := testsrv.Start(t, testsrv.WithRegister(func(s *grpc.Server) { healthpb.RegisterHealthServer(s, upstream) }))
	check := checks.GRPC(h.Conn, service)

	if err := check(checkContext(t)); err != nil {
		t.Fatalf("upstream SERVING: %v", err)
	}
	upstream.SetServingStatus(service, healthpb.HealthCheckResponse_NOT_SERVING)
	wantError(t, "upstream NOT_SERVING", check(checkContext(t)), `grpc health of service "users.v1.UserService": upstream says NOT_SERVING`)
	upstream.SetServingStatus(service, healthpb.HealthCheckResponse_SERVING)
	if err := check(checkContext(t)); err != nil {
		t.Fatalf("upstream SERVING again: %v", err)
	}

	err := checks.GRPC(h.Conn, "nope")(checkContext(t))
	wantError(t, "unknown service", err, `grpc health of service "nope": rpc error: code = NotFound desc = unknown service`)
	if got := status.Code(err); got != codes.NotFound {
		t.Errorf("status.Code of the error = %v, want NotFound", got)
	}

	h.Server.Stop()
	if err := check(checkContext(t)); status.Code(err) != codes.Unavailable {
		t.Errorf("upstream stopped: error %v, want code Unavailable", err)
	}
}

func TestGRPCUpstreamWithoutAHealthService(t *testing.T) {
	h := testsrv.Start(t) // the demo service only
	err := checks.GRPC(h.Conn, "")(checkContext(t))
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("error %v, want code Unimplemented", err)
	}
}

func TestGRPCWithoutAConnection(t *testing.T) {
	const want = "grpc health: no client connection"
	wantError(t, "nil interface", checks.GRPC(nil, "")(checkContext(t)), want)
	var conn *grpc.ClientConn
	wantError(t, "nil *grpc.ClientConn", checks.GRPC(conn, "")(checkContext(t)), want)
}

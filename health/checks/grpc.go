package checks

import (
	"context"
	"errors"
	"fmt"

	"github.com/grpcobs/grpcobs/health"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// GRPC returns a checker that asks an upstream gRPC server, over conn, for the status of
// service with grpc.health.v1 Check, and passes only when the answer is SERVING. Any other
// status fails with an error naming it; a failed call (NOT_FOUND for a service the upstream
// does not know, UNIMPLEMENTED when it has no health service, UNAVAILABLE when it is down)
// fails with the call's gRPC status, which errors keep (status.Code works on it).
//
// The checker fails fast: it does not wait for conn to become ready. The caller owns conn,
// and closes it after the registry stopped.
func GRPC(conn grpc.ClientConnInterface, service string) health.CheckFunc {
	return func(ctx context.Context) error {
		if isNil(conn) {
			return errors.New("grpc health: no client connection")
		}
		resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: service})
		if err != nil {
			return fmt.Errorf("grpc health of service %q: %w", service, err)
		}
		if st := resp.GetStatus(); st != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("grpc health of service %q: upstream says %v", service, st)
		}
		return nil
	}
}

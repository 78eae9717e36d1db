package health

import (
	"context"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// maxListedServices is how many services List answers for, as in grpc-go's reference
// server; past it List fails with RESOURCE_EXHAUSTED.
const maxListedServices = 100

// Server is the grpc.health.v1.Health service, answering from a Registry. It behaves as
// grpc-go's reference health.Server does, with statuses that the registry's checks decide,
// and SetServingStatus, Shutdown and Resume as grpc-go's has them, so that code written for
// grpc-go's server compiles against it. Register it with healthpb.RegisterHealthServer.
type Server struct {
	healthpb.UnimplementedHealthServer
	registry *Registry
}

var _ healthpb.HealthServer = (*Server)(nil)

// NewServer returns a health server answering from registry. A nil registry is replaced by
// an empty one, which serves Overall, Liveness and Readiness as SERVING.
func NewServer(registry *Registry) *Server {
	if registry == nil {
		registry = NewRegistry()
	}
	return &Server{registry: registry}
}

// Check implements grpc_health_v1.HealthServer: it answers the service's last known status
// at once, never waiting on a check, and NOT_FOUND "unknown service" for a service that does
// not exist.
func (s *Server) Check(_ context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	st, ok := s.registry.Status(req.GetService())
	if !ok {
		return nil, status.Error(codes.NotFound, "unknown service")
	}
	return &healthpb.HealthCheckResponse{Status: st}, nil
}

// List implements grpc_health_v1.HealthServer: it answers the status of every service, or
// RESOURCE_EXHAUSTED when there are more than 100 of them.
func (s *Server) List(_ context.Context, _ *healthpb.HealthListRequest) (*healthpb.HealthListResponse, error) {
	services := s.registry.statuses()
	if len(services) > maxListedServices {
		return nil, status.Errorf(codes.ResourceExhausted, "server health list exceeds maximum capacity: %d", maxListedServices)
	}
	statuses := make(map[string]*healthpb.HealthCheckResponse, len(services))
	for service, st := range services {
		statuses[service] = &healthpb.HealthCheckResponse{Status: st}
	}
	return &healthpb.HealthListResponse{Statuses: statuses}, nil
}

// SetServingStatus is Registry.SetServingStatus with grpc-go's signature: the status set
// by hand holds the service NOT_SERVING (or UNKNOWN) over passing checks, SERVING hands it
// back to its checks, and a name it did not know becomes a health service. What
// Registry.SetServingStatus would refuse (a name not valid UTF-8, SERVICE_UNKNOWN) is
// logged as a warning and changes nothing.
func (s *Server) SetServingStatus(service string, st healthpb.HealthCheckResponse_ServingStatus) {
	if err := s.registry.SetServingStatus(service, st); err != nil {
		s.registry.logRefused(err)
	}
}

// Shutdown turns every service NOT_SERVING and holds it there until Resume; it is
// Registry.Shutdown, here for the habit of grpc-go's health.Server. Call it before
// grpc.Server.GracefulStop, and wait a little, so that clients drain first.
func (s *Server) Shutdown() { s.registry.Shutdown() }

// Resume ends a Shutdown; it is Registry.Resume. Every service gets the status its checks
// and SetServingStatus give it again (grpc-go's health.Server would turn them all SERVING).
func (s *Server) Resume() { s.registry.Resume() }

package health

import (
	"context"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// watcher is one Watch: a 1-slot channel that always holds the latest status not yet read.
type watcher struct {
	updates chan healthpb.HealthCheckResponse_ServingStatus
}

// sendLocked replaces a status the reader has not taken yet with st, so a slow reader sees
// the latest status, never a backlog. Only the holder of Registry.mu sends, so the send
// never blocks.
func (w *watcher) sendLocked(st healthpb.HealthCheckResponse_ServingStatus) {
	select {
	case <-w.updates:
	default:
	}
	w.updates <- st
}

// Watch returns a channel that gets the status of service at once (SERVICE_UNKNOWN while
// the service does not exist), then every change. Updates coalesce: a reader that falls
// behind finds only the latest status, and may find the one it read last. The channel is
// closed when ctx ends, and then nothing of the watch is left behind; a nil ctx never ends.
func (r *Registry) Watch(ctx context.Context, service string) <-chan healthpb.HealthCheckResponse_ServingStatus {
	if ctx == nil {
		ctx = context.Background()
	}
	w := &watcher{updates: make(chan healthpb.HealthCheckResponse_ServingStatus, 1)}
	r.mu.Lock()
	defer r.mu.Unlock()
	if st, ok := r.services[service]; ok {
		w.updates <- st
	} else {
		w.updates <- healthpb.HealthCheckResponse_SERVICE_UNKNOWN
	}
	if r.watchers[service] == nil {
		r.watchers[service] = make(map[*watcher]struct{})
	}
	r.watchers[service][w] = struct{}{}
	context.AfterFunc(ctx, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.watchers[service], w)
		if len(r.watchers[service]) == 0 {
			delete(r.watchers, service)
		}
		close(w.updates)
	})
	return w.updates
}

// notifyLocked tells every watcher of service its new status.
func (r *Registry) notifyLocked(service string, st healthpb.HealthCheckResponse_ServingStatus) {
	for w := range r.watchers[service] {
		w.sendLocked(st)
	}
}

// Watch implements grpc_health_v1.HealthServer as grpc-go's reference server does: it
// sends the service's status at once (SERVICE_UNKNOWN for a service that does not exist,
// keeping the stream open: the service may appear later), then every change, skipping a
// status equal to the last one sent. A watcher that reads slowly gets the latest status,
// not a backlog. The stream ends, with CANCELED, only when the client goes away.
func (s *Server) Watch(req *healthpb.HealthCheckRequest, stream healthpb.Health_WatchServer) error {
	updates := s.registry.Watch(stream.Context(), req.GetService())
	last := healthpb.HealthCheckResponse_ServingStatus(-1)
	for st := range updates {
		if st == last {
			continue
		}
		last = st
		if err := stream.Send(&healthpb.HealthCheckResponse{Status: st}); err != nil {
			break
		}
	}
	return status.Error(codes.Canceled, "Stream has ended.")
}

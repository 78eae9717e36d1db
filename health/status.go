package health

import (
	"maps"
	"sort"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// serviceChange is a new status of a health service, to be logged.
type serviceChange struct {
	service string
	status  healthpb.HealthCheckResponse_ServingStatus
}

// Status returns the status of a health service and whether the service exists
// (SERVICE_UNKNOWN and false when it does not). It reads the last results and never waits
// on a check.
func (r *Registry) Status(service string) (healthpb.HealthCheckResponse_ServingStatus, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, ok := r.services[service]
	if !ok {
		return healthpb.HealthCheckResponse_SERVICE_UNKNOWN, false
	}
	return st, true
}

// statuses returns a copy of the status of every service.
func (r *Registry) statuses() map[string]healthpb.HealthCheckResponse_ServingStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.services)
}

// Shutdown turns every health service NOT_SERVING and holds it there, whatever the checks
// say, until Resume: call it before a graceful stop, so that load balancers and probes
// drain the server first. Services added meanwhile are NOT_SERVING too. Checks keep running
// and their results keep showing in Report and in the metrics.
func (r *Registry) Shutdown() { r.setShutdown(true) }

// Resume ends a Shutdown: every health service gets the status its checks and
// SetServingStatus give it again.
// Unlike grpc-go's health.Server, which turns every service SERVING, a service whose check
// is failing stays NOT_SERVING.
func (r *Registry) Resume() { r.setShutdown(false) }

func (r *Registry) setShutdown(shutdown bool) {
	r.mu.Lock()
	if r.shutdown == shutdown {
		r.mu.Unlock()
		return
	}
	r.shutdown = shutdown
	r.logShutdownLocked(shutdown)
	r.logServiceChangesLocked(r.refreshLocked())
	r.mu.Unlock()
}

// addServiceLocked makes service exist, NOT_SERVING until the next refreshLocked sets its
// status. It does nothing if the service exists.
func (r *Registry) addServiceLocked(service string) {
	if _, ok := r.services[service]; ok {
		return
	}
	// SERVICE_UNKNOWN differs from every status refreshLocked can give, so the refresh
	// reports the service as changed and tells its watchers, who saw it unknown.
	r.services[service] = healthpb.HealthCheckResponse_SERVICE_UNKNOWN
}

// refreshLocked recomputes the status of every service, tells the watchers of each service
// that changed, and returns the changes sorted by service name.
func (r *Registry) refreshLocked() []serviceChange {
	var changes []serviceChange
	for service, old := range r.services {
		st := r.computeLocked(service)
		if st == old {
			continue
		}
		r.services[service] = st
		r.notifyLocked(service, st)
		changes = append(changes, serviceChange{service: service, status: st})
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].service < changes[j].service })
	return changes
}

// computeLocked gives a service's status: the shutdown flag first, then the checks that
// gate it, then the status set by hand.
func (r *Registry) computeLocked(service string) healthpb.HealthCheckResponse_ServingStatus {
	if r.shutdown {
		return healthpb.HealthCheckResponse_NOT_SERVING
	}
	for _, ck := range r.checks {
		if ck.gates(service) && ck.status != Passing {
			return healthpb.HealthCheckResponse_NOT_SERVING
		}
	}
	if r.linkedLocked(service) {
		return healthpb.HealthCheckResponse_NOT_SERVING
	}
	return r.overrideLocked(service)
}

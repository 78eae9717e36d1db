package health

import (
	"fmt"

	"github.com/sirupsen/logrus"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// SetServingStatus sets the status of a health service by hand, as grpc-go's
// health.Server.SetServingStatus does, and makes the service exist if it did not. It
// composes with the checks: the service answers the worse of the two.
//
//   - NOT_SERVING (or UNKNOWN) holds the service there, whatever its checks say, until
//     SetServingStatus sets SERVING.
//   - SERVING clears the override: the service follows its checks again. It never hides a
//     critical check that gates the service and is not passing.
//   - Shutdown wins over both. A status set during a Shutdown is kept and applies after
//     Resume (grpc-go's server ignores it).
//
// Watchers see the change at once. The override is per service: setting Overall ("")
// NOT_SERVING leaves Readiness alone, except for the services of AddServer that follow
// Overall. SetServingStatus fails, and changes nothing, when the name is not valid UTF-8
// or st is SERVICE_UNKNOWN or not a status of grpc.health.v1.
func (r *Registry) SetServingStatus(service string, st healthpb.HealthCheckResponse_ServingStatus) error {
	if err := validServiceNames([]string{service}); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	switch st {
	case healthpb.HealthCheckResponse_SERVING, healthpb.HealthCheckResponse_NOT_SERVING, healthpb.HealthCheckResponse_UNKNOWN:
	default:
		return fmt.Errorf("health: service %q: cannot set status %v by hand", service, st)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addServiceLocked(service)
	if r.overrideLocked(service) != st {
		r.logs.push(r.logger.WithFields(logrus.Fields{fieldService: service, fieldStatus: st.String()}),
			logrus.InfoLevel, "health service status set by hand")
	}
	if st == healthpb.HealthCheckResponse_SERVING {
		delete(r.overrides, service)
	} else {
		r.overrides[service] = st
	}
	r.logServiceChangesLocked(r.refreshLocked())
	return nil
}

// overrideLocked applies the status set by hand, if any, to a status the checks allow.
func (r *Registry) overrideLocked(service string) healthpb.HealthCheckResponse_ServingStatus {
	if st, ok := r.overrides[service]; ok {
		return st
	}
	return healthpb.HealthCheckResponse_SERVING
}

// logRefused logs, as a warning, a SetServingStatus that changed nothing.
func (r *Registry) logRefused(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs.push(r.logger.WithError(err), logrus.WarnLevel, "health service status not set")
}

package health

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// ServiceInfoProvider is what AddServer reads: *grpc.Server has it.
type ServiceInfoProvider interface {
	GetServiceInfo() map[string]grpc.ServiceInfo
}

// ServiceOption configures the services that AddServer adds.
type ServiceOption func(*serviceLink)

// serviceLink is what gates a service besides the checks that name it in their Gates.
type serviceLink struct {
	checks  []string // check names
	overall bool     // the service is NOT_SERVING while Overall is
}

// GatedBy makes the services NOT_SERVING while one of the named checks is critical and not
// passing, instead of following Overall. The checks must be registered already. With no
// names the option is ignored.
func GatedBy(checks ...string) ServiceOption {
	return func(l *serviceLink) {
		if len(checks) == 0 {
			return
		}
		l.checks = uniqueStrings(checks)
		l.overall = false
	}
}

// AddServer adds, as health services, the gRPC services registered on srv (call it after
// registering them), so that probes can ask for each by name, as grpc-go users do with one
// SetServingStatus per service. The services of gRPC itself, whose names start with
// "grpc." (grpc.health.v1.Health, server reflection, channelz), are left out: nobody routes
// traffic by them.
//
// By default each service follows Overall: it is NOT_SERVING while Overall is, for a check
// that gates Overall, a status set by hand on Overall or a Shutdown. With GatedBy it follows
// the named checks instead. Checks that name a service in their Gates, and a status set by
// hand on it, still apply. Calling AddServer again adds services registered since and sets
// the gating of every service of srv anew. It returns the names of srv's services it
// serves, sorted.
//
// AddServer fails, and changes nothing, when srv is nil or GatedBy names a check that is
// not registered.
func (r *Registry) AddServer(srv ServiceInfoProvider, opts ...ServiceOption) ([]string, error) {
	if srv == nil {
		return nil, errors.New("health: AddServer needs a server")
	}
	link := serviceLink{overall: true}
	for _, opt := range opts {
		if opt != nil {
			opt(&link)
		}
	}
	var services []string
	for name := range srv.GetServiceInfo() {
		if !strings.HasPrefix(name, "grpc.") {
			services = append(services, name)
		}
	}
	sort.Strings(services)
	if err := validServiceNames(services); err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range link.checks {
		if _, ok := r.checks[name]; !ok {
			return nil, fmt.Errorf("health: GatedBy(%q): no check of that name is registered", name)
		}
	}
	for _, s := range services {
		r.addServiceLocked(s)
		r.links[s] = serviceLink{checks: slices.Clone(link.checks), overall: link.overall}
	}
	r.logServiceChangesLocked(r.refreshLocked())
	return services, nil
}

// linkedLocked reports whether the link of service holds it NOT_SERVING.
func (r *Registry) linkedLocked(service string) bool {
	link, ok := r.links[service]
	if !ok {
		return false
	}
	for _, name := range link.checks {
		if ck := r.checks[name]; ck != nil && ck.opts.critical && ck.status != Passing {
			return true
		}
	}
	return link.overall && service != Overall && r.computeLocked(Overall) != healthpb.HealthCheckResponse_SERVING
}

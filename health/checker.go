package health

import "context"

// The health services every Registry serves. Any other service comes from Gates or
// AddService.
const (
	// Overall is the whole server: the service a probe asks about when it names none
	// (grpc_health_probe without -service, a Kubernetes gRPC probe without service).
	Overall = ""
	// Readiness says whether the server should take traffic now. Checks gate it by default.
	Readiness = "readiness"
	// Liveness says whether the process works at all. Only checks that name it in Gates
	// affect it: a dependency outage must not make Kubernetes restart every pod.
	Liveness = "liveness"
)

// Checker checks one thing the server depends on.
//
// Check returns nil when the thing is healthy and an error saying what is wrong when it is
// not. It must return soon after ctx ends: the context carries the check's timeout (see
// Timeout) and is cancelled when the registry stops. A Checker that ignores its context is
// cut off at its timeout and counted as failing, but Go cannot stop its goroutine: the
// registry then starts no new run of it until that one returns, and counts every run it
// skips as a failure. A Checker that panics fails with the panic value in its error; the
// process stays up.
//
// The registry never runs two Checks of the same registration at once, but Checks of
// different registrations run concurrently.
type Checker interface {
	Check(ctx context.Context) error
}

// CheckFunc is a function that is a Checker.
type CheckFunc func(ctx context.Context) error

// Check calls f(ctx).
func (f CheckFunc) Check(ctx context.Context) error { return f(ctx) }

// CheckStatus is where a check stands after its thresholds are applied.
type CheckStatus int

const (
	// Pending: the check has no result yet. A critical pending check holds the services it
	// gates NOT_SERVING.
	Pending CheckStatus = iota
	// Passing: the check is healthy.
	Passing
	// Failing: the check is unhealthy. A critical failing check holds the services it gates
	// NOT_SERVING.
	Failing
)

// String returns "pending", "passing" or "failing".
func (s CheckStatus) String() string {
	switch s {
	case Pending:
		return "pending"
	case Passing:
		return "passing"
	case Failing:
		return "failing"
	default:
		return "unknown"
	}
}

// MarshalText encodes the status as its String, so JSON shows "passing", not 1.
func (s CheckStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

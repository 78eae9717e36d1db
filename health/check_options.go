package health

import "time"

// The defaults of a check, the same as a Kubernetes probe's.
const (
	// DefaultInterval is how often a check runs unless Every says otherwise.
	DefaultInterval = 10 * time.Second
	// DefaultTimeout is how long a run may take unless Timeout says otherwise.
	DefaultTimeout = time.Second
	// DefaultFailureThreshold is how many failed runs in a row turn a passing check failing.
	DefaultFailureThreshold = 3
	// DefaultSuccessThreshold is how many passed runs in a row turn a check passing.
	DefaultSuccessThreshold = 1
)

// CheckOption configures one registration (see Registry.Register).
type CheckOption func(*checkOptions)

type checkOptions struct {
	gates            []string
	interval         time.Duration
	timeout          time.Duration
	initialDelay     time.Duration
	failureThreshold int
	successThreshold int
	critical         bool
}

// defaultGates are the services a check gates unless Gates says otherwise.
var defaultGates = []string{Overall, Readiness}

// defaultCheckOptions is copied by Register before the options are applied.
var defaultCheckOptions = checkOptions{
	interval:         DefaultInterval,
	timeout:          DefaultTimeout,
	failureThreshold: DefaultFailureThreshold,
	successThreshold: DefaultSuccessThreshold,
	critical:         true,
}

// Gates sets the health services the check gates: Overall (""), Readiness, Liveness, or
// gRPC service names. Each of them exists from the moment the check is registered, and is
// NOT_SERVING while the check is not passing. Repeated names count once; with no names the
// option is ignored.
// Default: Overall and Readiness, never Liveness.
func Gates(services ...string) CheckOption {
	return func(o *checkOptions) {
		if len(services) == 0 {
			return
		}
		o.gates = uniqueStrings(services)
	}
}

// Every sets how often the check runs: a run starts this long after the previous one
// started, or as soon as it ended if it took longer. A value <= 0 is ignored.
// Default: DefaultInterval (10s).
func Every(d time.Duration) CheckOption {
	return func(o *checkOptions) {
		if d > 0 {
			o.interval = d
		}
	}
}

// Timeout sets how long one run may take. The checker's context ends then, and a checker
// still running is cut off and the run counts as a failure. A value <= 0 is ignored.
// Default: DefaultTimeout (1s).
func Timeout(d time.Duration) CheckOption {
	return func(o *checkOptions) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// InitialDelay sets how long after Registry.Start (or after Register, on a started
// registry) the first run waits. The check is Pending until then. A value < 0 is ignored.
// Default: 0, the first run starts at once.
func InitialDelay(d time.Duration) CheckOption {
	return func(o *checkOptions) {
		if d >= 0 {
			o.initialDelay = d
		}
	}
}

// FailureThreshold sets how many failed runs in a row turn a passing check failing. A
// pending check turns failing at its first failed run, whatever the threshold. A value < 1
// is ignored.
// Default: DefaultFailureThreshold (3).
func FailureThreshold(n int) CheckOption {
	return func(o *checkOptions) {
		if n >= 1 {
			o.failureThreshold = n
		}
	}
}

// SuccessThreshold sets how many passed runs in a row turn a pending or failing check
// passing. A value < 1 is ignored.
// Default: DefaultSuccessThreshold (1).
func SuccessThreshold(n int) CheckOption {
	return func(o *checkOptions) {
		if n >= 1 {
			o.successThreshold = n
		}
	}
}

// NonCritical makes the check reported only: it runs, logs, shows in Report and in the
// metrics, but never changes the status of a health service. The services named by Gates
// still exist.
// Default: critical.
func NonCritical() CheckOption {
	return func(o *checkOptions) { o.critical = false }
}

// uniqueStrings returns ss without repeats, in first-seen order, in a new slice.
func uniqueStrings(ss []string) []string {
	out := make([]string, 0, len(ss))
	seen := make(map[string]bool, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

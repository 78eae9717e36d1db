package health

import (
	"slices"
	"time"
)

// check is one registration: its checker, its options and, guarded by Registry.mu, where it
// stands.
type check struct {
	name    string
	checker Checker
	opts    checkOptions

	status               CheckStatus
	lastErr              error
	lastRun              time.Time
	lastDuration         time.Duration
	consecutiveFailures  int
	consecutiveSuccesses int
}

// runResult is the outcome of one run (or of one skipped run, when the previous run is
// still stuck: then ran is false and duration is zero).
type runResult struct {
	start    time.Time
	duration time.Duration
	err      error
	ran      bool
}

// checkTransition is a change of a check's status, to be logged.
type checkTransition struct {
	name      string
	from, to  CheckStatus
	err       error
	failures  int
	successes int
	critical  bool
}

// gates reports whether the check decides the status of service.
func (c *check) gates(service string) bool {
	return c.opts.critical && slices.Contains(c.opts.gates, service)
}

// applyLocked records a result and applies the thresholds: a pending check turns failing at
// its first failure, a passing one after failureThreshold failures in a row, and a pending
// or failing one turns passing after successThreshold successes in a row. It reports the
// transition, if the status changed.
func (c *check) applyLocked(res runResult) (checkTransition, bool) {
	from := c.status
	c.lastErr = res.err
	c.lastRun = res.start
	c.lastDuration = res.duration
	if res.err != nil {
		c.consecutiveFailures++
		c.consecutiveSuccesses = 0
		if c.status == Pending || (c.status == Passing && c.consecutiveFailures >= c.opts.failureThreshold) {
			c.status = Failing
		}
	} else {
		c.consecutiveSuccesses++
		c.consecutiveFailures = 0
		if c.status != Passing && c.consecutiveSuccesses >= c.opts.successThreshold {
			c.status = Passing
		}
	}
	if c.status == from {
		return checkTransition{}, false
	}
	return checkTransition{
		name:      c.name,
		from:      from,
		to:        c.status,
		err:       c.lastErr,
		failures:  c.consecutiveFailures,
		successes: c.consecutiveSuccesses,
		critical:  c.opts.critical,
	}, true
}

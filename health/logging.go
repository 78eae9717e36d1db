package health

import (
	"errors"

	"github.com/sirupsen/logrus"
)

// Log fields of the health lines. The error goes under logrus.ErrorKey ("error").
const (
	fieldCheck                = "health.check"
	fieldService              = "health.service"
	fieldStatus               = "health.status"
	fieldPreviousStatus       = "health.previous_status"
	fieldCritical             = "health.critical"
	fieldConsecutiveFailures  = "health.consecutive_failures"
	fieldConsecutiveSuccesses = "health.consecutive_successes"
	fieldFailureThreshold     = "health.failure_threshold"
	fieldPanicStack           = "health.panic_stack"
)

// The health lines are queued while Registry.mu is held, by the change they report, so
// they are written in the order the changes happened, and the last line about a check or a
// service says where it stands. The queue writes them off the caller's goroutine: see
// logQueue.

// logCheckTransitionLocked logs a check that changed status: a warning with the error when
// it fails, info when it passes.
func (r *Registry) logCheckTransitionLocked(tr checkTransition) {
	entry := r.logger.WithFields(logrus.Fields{
		fieldCheck:          tr.name,
		fieldStatus:         tr.to.String(),
		fieldPreviousStatus: tr.from.String(),
		fieldCritical:       tr.critical,
	})
	if tr.to == Failing {
		entry = withError(entry, tr.err).WithField(fieldConsecutiveFailures, tr.failures)
		r.logs.push(entry, logrus.WarnLevel, "health check failing")
		return
	}
	r.logs.push(entry.WithField(fieldConsecutiveSuccesses, tr.successes), logrus.InfoLevel, "health check passing")
}

// logFailedRunLocked logs, at debug, a failed run that the failure threshold absorbed: the
// check is still passing.
func (r *Registry) logFailedRunLocked(ck *check, err error) {
	entry := withError(r.logger.WithFields(logrus.Fields{
		fieldCheck:               ck.name,
		fieldConsecutiveFailures: ck.consecutiveFailures,
		fieldFailureThreshold:    ck.opts.failureThreshold,
	}), err)
	r.logs.push(entry, logrus.DebugLevel, "health check run failed")
}

// logServiceChangesLocked logs each health service that changed status.
func (r *Registry) logServiceChangesLocked(changes []serviceChange) {
	for _, c := range changes {
		entry := r.logger.WithFields(logrus.Fields{
			fieldService: c.service,
			fieldStatus:  c.status.String(),
		})
		r.logs.push(entry, logrus.InfoLevel, "health service status changed")
	}
}

// logShutdownLocked logs a Shutdown or a Resume that changed something.
func (r *Registry) logShutdownLocked(shutdown bool) {
	entry := r.logger.WithFields(nil)
	if shutdown {
		r.logs.push(entry, logrus.InfoLevel, "health shut down: every service NOT_SERVING until resumed")
		return
	}
	r.logs.push(entry, logrus.InfoLevel, "health resumed: services follow their checks again")
}

// withError adds err to entry, and the stack of the panic when err is one.
func withError(entry *logrus.Entry, err error) *logrus.Entry {
	entry = entry.WithError(err)
	var pe *panicError
	if errors.As(err, &pe) {
		entry = entry.WithField(fieldPanicStack, string(pe.stack))
	}
	return entry
}

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

// logCheckTransition logs a check that changed status: a warning with the error when it
// fails, info when it passes.
func (r *Registry) logCheckTransition(tr checkTransition) {
	entry := r.logger.WithFields(logrus.Fields{
		fieldCheck:          tr.name,
		fieldStatus:         tr.to.String(),
		fieldPreviousStatus: tr.from.String(),
		fieldCritical:       tr.critical,
	})
	if tr.to == Failing {
		entry = withError(entry, tr.err).WithField(fieldConsecutiveFailures, tr.failures)
		entry.Warn("health check failing")
		return
	}
	entry.WithField(fieldConsecutiveSuccesses, tr.successes).Info("health check passing")
}

// logFailedRun logs, at debug, a failed run that did not change the check's status.
func (r *Registry) logFailedRun(ck *check, err error, failures int) {
	withError(r.logger.WithFields(logrus.Fields{
		fieldCheck:               ck.name,
		fieldConsecutiveFailures: failures,
		fieldFailureThreshold:    ck.opts.failureThreshold,
	}), err).Debug("health check run failed")
}

// logServiceChanges logs each health service that changed status.
func (r *Registry) logServiceChanges(changes []serviceChange) {
	for _, c := range changes {
		r.logger.WithFields(logrus.Fields{
			fieldService: c.service,
			fieldStatus:  c.status.String(),
		}).Info("health service status changed")
	}
}

// logShutdown logs a Shutdown or a Resume that changed something.
func (r *Registry) logShutdown(shutdown bool) {
	if shutdown {
		r.logger.Info("health shut down: every service NOT_SERVING until resumed")
		return
	}
	r.logger.Info("health resumed: services follow their checks again")
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

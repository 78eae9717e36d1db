package interceptors

import "time"

// messageTimer times messages, or does not when no reportable reads their durations.
type messageTimer bool

// now is the time a message operation starts, or the zero time when messages are not timed.
func (t messageTimer) now() time.Time {
	if t {
		return time.Now()
	}
	return time.Time{}
}

// since is the time since start, or 0 when messages are not timed.
func (t messageTimer) since(start time.Time) time.Duration {
	if t {
		return time.Since(start)
	}
	return 0
}

// measured is d, a duration measured anyway, or 0 when messages are not timed, so that every
// message of an untimed stack reports the same zero.
func (t messageTimer) measured(d time.Duration) time.Duration {
	if t {
		return d
	}
	return 0
}

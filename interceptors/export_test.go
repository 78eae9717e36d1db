package interceptors

import "time"

// SetArmGrace replaces how a client stream arms the grace for an unread finish, for the
// schedule explorer, which fires it as one of its inputs; it returns the previous one.
func SetArmGrace(f func(d time.Duration, fire func()) (stop func() bool)) (previous func(time.Duration, func()) func() bool) {
	previous, armGrace = armGrace, f
	return previous
}

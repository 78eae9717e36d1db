package interceptors

import "time"

// SetArmGrace replaces how a client stream arms the grace for an unread finish, for the
// schedule explorer, which fires it as one of its inputs; restore puts the previous one back.
func SetArmGrace(f func(d time.Duration, fire func()) (stop func() bool)) (restore func()) {
	previous := armGrace
	armGrace = f
	return func() { armGrace = previous }
}

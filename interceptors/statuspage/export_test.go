package statuspage

import "time"

// WithClock replaces the page's clock, so tests can place calls in time.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		o.now = now
		return nil
	}
}

package metrics

import "time"

// WithClock makes the metrics read the time of exemplar intervals from now instead of
// time.Now, so that tests can step it.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

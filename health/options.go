package health

import (
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
)

// Option configures a Registry.
type Option func(*options)

type options struct {
	logger         logrus.FieldLogger
	tracerProvider trace.TracerProvider
}

// defaultOptions is copied by NewRegistry before the options are applied.
var defaultOptions = options{}

// WithLogger sets the logger that status transitions are written to: a warning with the
// error when a check starts failing, info when it passes again and when a health service
// changes status, debug for a failed run that the failure threshold absorbs (the check is
// still passing). A *logrus.Logger or a *logrus.Entry (to add fields) both fit. Nil is
// ignored.
//
// The registry never waits on the logger: lines are queued, in the order of the changes
// they report, and one goroutine writes them. A writer that blocks (a stalled log shipper
// on stdout) delays the lines, never the checks, Check, Watch, Shutdown, Register or Stop.
// When 1024 lines wait behind the ones being written, further ones are dropped and counted
// in grpcobs_health_log_lines_dropped_total, and a warning with health.dropped_lines
// follows once the writer catches up.
// Default: logrus.StandardLogger().
func WithLogger(logger logrus.FieldLogger) Option {
	return func(o *options) {
		if logger != nil {
			o.logger = logger
		}
	}
}

// WithTracerProvider makes every check run a span of its own, named "health.check", from
// this provider. The checker's context carries the span, so what the checker calls (a gRPC
// upstream, a database driver) nests under it. Nil is ignored.
// Default: no spans, since a root span per check every few seconds is noise in most traces.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) {
		if tp != nil {
			o.tracerProvider = tp
		}
	}
}

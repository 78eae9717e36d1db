package logging

import (
	"context"
	"log/slog"

	"github.com/sirupsen/logrus"
)

// fieldSink is where the fields of a line go: the map of a logrus entry, or the attributes of
// a slog record. The fields are built once, in one order, for both backends (call.fields), so
// that they carry the same names and values.
type fieldSink interface {
	set(key string, value any)
	setFloat(key string, value float64)
	// setString is set for a string that is not boxed yet: slog takes it unboxed.
	setString(key, value string)
}

// logrusFields is the logrus backend's sink.
type logrusFields logrus.Fields

func (f logrusFields) set(key string, value any)          { f[key] = value }
func (f logrusFields) setFloat(key string, value float64) { f[key] = value }
func (f logrusFields) setString(key, value string)        { f[key] = value }

// enabled reports whether the backend logs lines at level.
func (l *callLogger) enabled(ctx context.Context, level logrus.Level) bool {
	if l.slog != nil {
		return l.slog.Enabled(ctx, SlogLevel(level))
	}
	return l.logger.IsLevelEnabled(level)
}

// SlogLevel is the slog level of a line the options put at level (they speak logrus' levels
// on both backends): trace is slog.LevelDebug-4; debug, info, warn and error are slog's own;
// fatal is slog.LevelError+4 and panic slog.LevelError+8 (neither exits nor panics, as with
// logrus' Entry.Log). Use it to set a slog handler's level from a logrus one. docs/logging.md
// has the table.
func SlogLevel(level logrus.Level) slog.Level {
	switch level {
	case logrus.TraceLevel:
		return slog.LevelDebug - 4
	case logrus.DebugLevel:
		return slog.LevelDebug
	case logrus.InfoLevel:
		return slog.LevelInfo
	case logrus.WarnLevel:
		return slog.LevelWarn
	case logrus.ErrorLevel:
		return slog.LevelError
	case logrus.FatalLevel:
		return slog.LevelError + 4
	case logrus.PanicLevel:
		return slog.LevelError + 8
	default: // above trace: more verbose still
		return slog.LevelDebug - 4 - slog.Level(level-logrus.TraceLevel)
	}
}

package bench

import (
	"context"

	mwlogging "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/sirupsen/logrus"
)

// logrusAdapter is the logrus adapter of go-grpc-middleware's logging examples, which users
// copy into their services: every line's fields go into a logrus.Fields map.
func logrusAdapter(l logrus.FieldLogger) mwlogging.Logger {
	return mwlogging.LoggerFunc(func(_ context.Context, lvl mwlogging.Level, msg string, fields ...any) {
		f := make(map[string]any, len(fields)/2)
		i := mwlogging.Fields(fields).Iterator()
		for i.Next() {
			k, v := i.At()
			f[k] = v
		}
		entry := l.WithFields(f)
		switch lvl {
		case mwlogging.LevelDebug:
			entry.Debug(msg)
		case mwlogging.LevelWarn:
			entry.Warn(msg)
		case mwlogging.LevelError:
			entry.Error(msg)
		default:
			entry.Info(msg)
		}
	})
}

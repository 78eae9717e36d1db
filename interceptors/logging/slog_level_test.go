package logging_test

import (
	"log/slog"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/sirupsen/logrus"
)

// SlogLevel is docs/logging.md's table of levels, for every logrus level.
func TestSlogLevelIsTheDocumentedTable(t *testing.T) {
	want := map[logrus.Level]slog.Level{
		logrus.TraceLevel: slog.LevelDebug - 4,
		logrus.DebugLevel: slog.LevelDebug,
		logrus.InfoLevel:  slog.LevelInfo,
		logrus.WarnLevel:  slog.LevelWarn,
		logrus.ErrorLevel: slog.LevelError,
		logrus.FatalLevel: slog.LevelError + 4,
		logrus.PanicLevel: slog.LevelError + 8,
	}
	for _, l := range logrus.AllLevels {
		if got := logging.SlogLevel(l); got != want[l] {
			t.Errorf("SlogLevel(%v) = %v, want %v", l, got, want[l])
		}
	}
}

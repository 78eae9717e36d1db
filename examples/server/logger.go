package main

import (
	"io"

	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/sirupsen/logrus"
)

// newLogger logs to out (stdout) in the configured format and level.
func newLogger(cfg config, out io.Writer) *logrus.Logger {
	logger := logrus.New()
	logger.SetOutput(out)
	logger.SetLevel(cfg.logLevel)
	if cfg.logFormat == "text" {
		logger.SetFormatter(&logrus.TextFormatter{DisableColors: true, FullTimestamp: true})
	} else {
		logger.SetFormatter(&jsonformat.Formatter{})
	}
	return logger
}

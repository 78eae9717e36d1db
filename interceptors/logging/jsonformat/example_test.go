package jsonformat_test

import (
	"errors"
	"math"
	"os"

	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/sirupsen/logrus"
)

func ExampleFormatter() {
	logger := logrus.New()
	logger.SetOutput(os.Stdout)
	logger.SetFormatter(&jsonformat.Formatter{DisableTimestamp: true})

	logger.WithFields(logrus.Fields{
		"peer.address": "10.0.0.7:41234\n{\"level\":\"error\"}", // cannot forge a second line
		"error":        errors.New("\x1b[31mred\x1b[0m"),        // nor drive the terminal
		"ratio":        math.NaN(),                              // which JSON has no number for
		"msg":          "clashes with the message",
	}).Info("finished call")
	// Output:
	// {"level":"info","msg":"finished call","error":"\u001b[31mred\u001b[0m","fields.msg":"clashes with the message","peer.address":"10.0.0.7:41234\n{\"level\":\"error\"}","ratio":"NaN"}
}

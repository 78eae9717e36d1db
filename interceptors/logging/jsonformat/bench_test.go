package jsonformat_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/sirupsen/logrus"
)

// BenchmarkFormat formats a gRPC call line with this package's Formatter and with logrus'
// stock JSONFormatter.
func BenchmarkFormat(b *testing.B) {
	entry := &logrus.Entry{
		Logger:  logrus.New(),
		Time:    time.Now(),
		Level:   logrus.WarnLevel,
		Message: "finished call",
		Data: logrus.Fields{
			"grpc.component":   "server",
			"grpc.service":     "grpcobs.demo.v1.DemoService",
			"grpc.method":      "Echo",
			"grpc.method_type": "unary",
			"grpc.code":        "NotFound",
			"grpc.time_ms":     0.123456,
			"peer.address":     "10.1.2.3:54321",
			"trace_id":         "4bf92f3577b34da6a3ce929d0e0e4736",
			"span_id":          "00f067aa0ba902b7",
			"error":            errors.New("rpc error: code = NotFound desc = no such \"thing\""),
		},
	}
	for _, tc := range []struct {
		name string
		f    logrus.Formatter
	}{
		{"jsonformat", &jsonformat.Formatter{}},
		{"logrus.JSONFormatter", &logrus.JSONFormatter{TimestampFormat: time.RFC3339Nano}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				entry.Buffer = &buf
				if _, err := tc.f.Format(entry); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

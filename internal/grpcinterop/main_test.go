package grpcinterop_test

import (
	"testing"

	"go.uber.org/goleak"
	"google.golang.org/grpc/grpclog"
)

func TestMain(m *testing.M) {
	// The interop cases report a failure with grpclog's Fatal, which exits the process; the
	// logger fails the running test instead. It must be set before any gRPC activity.
	grpclog.SetLoggerV2(caseLogger)
	goleak.VerifyTestMain(m)
}

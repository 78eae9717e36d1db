package logging_test

import (
	"context"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
)

// A *logrus.Entry is a logger like any other (as health.WithLogger and InterceptorLogger take
// them): every line of the call, and the handler's request-scoped logger, carry its fields.
func TestAnEntryWithFieldsIsALogger(t *testing.T) {
	book := newLogbook()
	base := book.WithField("service.instance", "pod-7")
	hook := func(ctx context.Context, _, _ string) (context.Context, func(error)) {
		logging.FromContext(ctx).Info("handling request")
		return ctx, func(error) {}
	}
	h := testsrv.Start(t,
		testsrv.WithServerOptions(interceptors.ServerOptions(logging.NewServer(base))...),
		testsrv.WithRegister(func(s *grpc.Server) {
			demov1.RegisterDemoServiceServer(s, demo.NewService(demo.WithHook(hook)))
		}))
	if _, err := h.Demo().Echo(noDeadline(t), echoRequest("hi")); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	entries := book.wait(t, 2)
	for _, e := range entries {
		if got := e.Data["service.instance"]; got != "pod-7" {
			t.Errorf("line %q has service.instance %v, want the entry's pod-7", e.Message, got)
		}
	}
	if entries[1].Message != "finished call" || entries[1].Data["grpc.method"] != "Echo" {
		t.Errorf("second line %q for %v, want the finished call of Echo", entries[1].Message, entries[1].Data["grpc.method"])
	}
}

package logging_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
)

// stableAttrs leaves out of an example's output the time and grpc.time_ms, which differ on
// every run.
func stableAttrs(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == logging.FieldTimeMS) {
		return slog.Attr{}
	}
	return a
}

func ExampleNewSlogServer() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: stableAttrs}))

	srv := grpc.NewServer(interceptors.ServerOptions(
		// tracing.NewServer() goes first: then the lines carry trace_id and span_id.
		logging.NewSlogServer(logger, logging.WithFilter(filter.HealthChecksOnlyOnFailure())),
	)...)
	demov1.RegisterDemoServiceServer(srv, demo.NewService())

	conn, stop := testsrv.Serve(srv)
	defer stop()
	_, _ = demov1.NewDemoServiceClient(conn).Echo(context.Background(), &demov1.EchoRequest{FailCode: 5})
	// Output:
	// {"level":"WARN","msg":"finished call","grpc.component":"server","grpc.service":"grpcobs.demo.v1.DemoService","grpc.method":"Echo","grpc.method_type":"unary","peer.address":"bufconn","grpc.code":"NotFound","error":"rpc error: code = NotFound desc = failure requested with fail_code 5"}
}

func ExampleNewSlogHandler() {
	// Handlers log with slog as they always did; the wrapper adds the call's fields.
	logger := slog.New(logging.NewSlogHandler(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: stableAttrs})))
	hook := func(ctx context.Context, _, message string) (context.Context, func(error)) {
		logger.InfoContext(ctx, "handling", "message", message)
		return ctx, func(error) {}
	}

	srv := grpc.NewServer(interceptors.ServerOptions(
		logging.NewSlogServer(logger), // logs through the wrapped handler: each field once
	)...)
	demov1.RegisterDemoServiceServer(srv, demo.NewService(demo.WithHook(hook)))

	conn, stop := testsrv.Serve(srv)
	defer stop()
	_, _ = demov1.NewDemoServiceClient(conn).Echo(context.Background(), &demov1.EchoRequest{Message: "hi"})
	// Output:
	// {"level":"INFO","msg":"handling","message":"hi","grpc.component":"server","grpc.service":"grpcobs.demo.v1.DemoService","grpc.method":"Echo"}
	// {"level":"INFO","msg":"finished call","grpc.component":"server","grpc.service":"grpcobs.demo.v1.DemoService","grpc.method":"Echo","grpc.method_type":"unary","peer.address":"bufconn","grpc.code":"OK"}
}

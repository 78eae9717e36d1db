package logging_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
)

// The lines name and type their fields as go-grpc-middleware's logging interceptor does:
// "protocol", "grpc.start_time", "grpc.time_ms" as a string, "grpc.error". (This example's
// output leaves out the time, grpc.start_time and grpc.time_ms, which differ on every run.)
func ExampleWithGoGRPCMiddlewareFields() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == "grpc.start_time" {
				return slog.Attr{}
			}
			return stableAttrs(groups, a)
		},
	}))

	srv := grpc.NewServer(interceptors.ServerOptions(
		logging.NewSlogServer(logger, logging.WithGoGRPCMiddlewareFields()),
	)...)
	demov1.RegisterDemoServiceServer(srv, demo.NewService())

	conn, stop := testsrv.Serve(srv)
	defer stop()
	_, _ = demov1.NewDemoServiceClient(conn).Echo(context.Background(), &demov1.EchoRequest{FailCode: 5})
	// Output:
	// {"level":"WARN","msg":"finished call","protocol":"grpc","grpc.component":"server","grpc.service":"grpcobs.demo.v1.DemoService","grpc.method":"Echo","grpc.method_type":"unary","peer.address":"bufconn","grpc.code":"NotFound","grpc.error":"rpc error: code = NotFound desc = failure requested with fail_code 5"}
}

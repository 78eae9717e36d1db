package logging_test

import (
	"context"
	"os"

	mwlogging "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

func ExampleNewServer() {
	logger := logrus.New()
	logger.SetOutput(os.Stdout)
	logger.SetFormatter(&jsonformat.Formatter{DisableTimestamp: true})
	logger.AddHook(dropTime{}) // grpc.time_ms differs on every run: left out of this example's output

	srv := grpc.NewServer(interceptors.ServerOptions(
		// tracing.NewServer() goes first: then the lines carry trace_id and span_id.
		logging.NewServer(logger, logging.WithFilter(filter.HealthChecksOnlyOnFailure())),
	)...)
	demov1.RegisterDemoServiceServer(srv, demo.NewService())

	conn, stop := testsrv.Serve(srv)
	defer stop()
	_, _ = demov1.NewDemoServiceClient(conn).Echo(context.Background(), &demov1.EchoRequest{FailCode: 5})
	// Output:
	// {"level":"warning","msg":"finished call","error":"rpc error: code = NotFound desc = failure requested with fail_code 5","grpc.code":"NotFound","grpc.component":"server","grpc.method":"Echo","grpc.method_type":"unary","grpc.service":"grpcobs.demo.v1.DemoService","peer.address":"bufconn"}
}

func ExampleNewClient() {
	logger := logrus.New()
	logger.SetOutput(os.Stdout)
	logger.SetFormatter(&jsonformat.Formatter{DisableTimestamp: true})
	logger.AddHook(dropTime{}) // grpc.time_ms differs on every run: left out of this example's output

	srv := grpc.NewServer()
	demov1.RegisterDemoServiceServer(srv, demo.NewService())
	conn, stop := testsrv.Serve(srv, interceptors.DialOptions(
		// tracing.NewClient() goes first: then the lines carry the client span's ids.
		logging.NewClient(logger),
	)...)
	defer stop()

	// A span in the context (here a fixed one, for a stable output) is what the line carries.
	ctx := trace.ContextWithSpanContext(context.Background(), exampleSpan)
	_, _ = demov1.NewDemoServiceClient(conn).Echo(ctx, &demov1.EchoRequest{Message: "hi"})
	// Output:
	// {"level":"info","msg":"finished call","grpc.code":"OK","grpc.component":"client","grpc.method":"Echo","grpc.method_type":"unary","grpc.service":"grpcobs.demo.v1.DemoService","span_id":"00f067aa0ba902b7","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}
}

func ExampleFromContext() {
	logger := logrus.New()
	logger.SetOutput(os.Stdout)
	logger.SetFormatter(&jsonformat.Formatter{DisableTimestamp: true})
	logger.AddHook(dropTime{}) // grpc.time_ms differs on every run: left out of this example's output

	// Inside a handler, FromContext gives a logger that carries the call's method and ids.
	handler := func(ctx context.Context, _, message string) (context.Context, func(error)) {
		logging.FromContext(ctx).WithField("message", message).Info("echoing")
		return ctx, func(error) {}
	}
	srv := grpc.NewServer(interceptors.ServerOptions(logging.NewServer(logger))...)
	demov1.RegisterDemoServiceServer(srv, demo.NewService(demo.WithHook(handler)))

	conn, stop := testsrv.Serve(srv)
	defer stop()
	_, _ = demov1.NewDemoServiceClient(conn).Echo(context.Background(), &demov1.EchoRequest{Message: "hi"})
	// Output:
	// {"level":"info","msg":"echoing","grpc.component":"server","grpc.method":"Echo","grpc.service":"grpcobs.demo.v1.DemoService","message":"hi"}
	// {"level":"info","msg":"finished call","grpc.code":"OK","grpc.component":"server","grpc.method":"Echo","grpc.method_type":"unary","grpc.service":"grpcobs.demo.v1.DemoService","peer.address":"bufconn"}
}

func ExampleInterceptorLogger() {
	logger := logrus.New()
	logger.SetOutput(os.Stdout)
	logger.SetFormatter(&jsonformat.Formatter{DisableTimestamp: true})

	// With go-grpc-middleware's logging interceptor:
	//
	//	grpc.NewServer(grpc.ChainUnaryInterceptor(
	//		mwlogging.UnaryServerInterceptor(logging.InterceptorLogger(logger))))
	//
	// which calls Log with the call's context. The entry gets that context, for hooks, and
	// the ids of the span in it.
	adapter := logging.InterceptorLogger(logger.WithField("app", "demo"))
	ctx := trace.ContextWithSpanContext(context.Background(), exampleSpan)
	adapter.Log(ctx, mwlogging.LevelWarn, "finished call", "grpc.code", "NotFound")
	// Output:
	// {"level":"warning","msg":"finished call","app":"demo","grpc.code":"NotFound","span_id":"00f067aa0ba902b7","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}
}

// exampleSpan is a fixed span context, so that the examples' output is stable.
var exampleSpan = trace.NewSpanContext(trace.SpanContextConfig{
	TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
	SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
	TraceFlags: trace.FlagsSampled,
})

// dropTime leaves grpc.time_ms out of the examples' lines.
type dropTime struct{}

func (dropTime) Levels() []logrus.Level { return logrus.AllLevels }

func (dropTime) Fire(e *logrus.Entry) error {
	delete(e.Data, logging.FieldTimeMS)
	return nil
}

// Package demo implements grpcobs.demo.v1.DemoService, the one service that grpcobs' tests,
// benchmarks and examples call.
//
// Every request may carry fail_code (1 to 16: the call ends with that gRPC code; any other
// non-zero value: INVALID_ARGUMENT) and delay_ms (the server waits that long before answering,
// per message on streams, and returns the context's error at once when the deadline passes or
// the caller cancels). The handlers never sleep on after the caller has gone.
//
// Handlers may be given hooks (see WithMessageHook) that run inside each handler with the
// call's context, so the examples can add a child span and a request-scoped log line without
// the tests and benchmarks paying for them.
//
//	srv := grpc.NewServer()
//	demov1.RegisterDemoServiceServer(srv, demo.NewService())
package demo

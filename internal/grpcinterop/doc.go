// Package grpcinterop runs grpc-go's own interop client cases (google.golang.org/grpc/interop)
// against grpc-go's interop test server, with grpcobs' full stack on both sides, and checks
// that every case still passes and that each side recorded each call exactly once, with the
// same code in its span, its grpc_*_handled_total increment and its "finished call" line. On
// the client that code is the one the case's calls got. It holds no code, only tests.
//
// The server and the client are wired as a user wires them:
//
//	srv := grpc.NewServer(interceptors.ServerOptions(
//		tracing.NewServer(), serverMetrics, logging.NewServer(logger),
//	)...)
//	testgrpc.RegisterTestServiceServer(srv, interop.NewTestServer())
//
//	conn, err := grpc.NewClient(target, append(interceptors.DialOptions(
//		tracing.NewClient(), clientMetrics, logging.NewClient(logger),
//	), grpc.WithTransportCredentials(creds))...)
//	interop.DoPingPong(ctx, testgrpc.NewTestServiceClient(conn))
package grpcinterop

// Package mwcompat proves that every grpcobs signal works under go-grpc-middleware v2's own
// interceptors, whose reporting contract grpcobs re-exports: tracing, metrics and logging, on
// the server and on the client, alone and with filters, sampled and unsampled, for unary and
// streaming calls, through real gRPC calls. Nothing panics, every call behaves as it would
// bare, and each signal records what it should. It holds no code, only tests.
//
// The wiring under test is go-grpc-middleware's:
//
//	srv := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(mw.UnaryServerInterceptor(tracing.NewServer())),
//		grpc.ChainStreamInterceptor(mw.StreamServerInterceptor(tracing.NewServer())),
//	)
//	conn, err := grpc.NewClient(target,
//		grpc.WithChainUnaryInterceptor(mw.UnaryClientInterceptor(tracing.NewClient())),
//		grpc.WithChainStreamInterceptor(mw.StreamClientInterceptor(tracing.NewClient())),
//		grpc.WithTransportCredentials(creds),
//	)
//
// where mw is github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors.
package mwcompat

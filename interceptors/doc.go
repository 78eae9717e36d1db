// Package interceptors is grpcobs' call plumbing: the only place that knows the four gRPC
// interceptor signatures (unary and stream, server and client).
//
// Each signal (tracing, metrics, logging) implements go-grpc-middleware's ServerReportable and
// ClientReportable: given the call's CallMeta it returns a Reporter and a derived context. The
// stack in this package composes any number of reportables into ONE unary and ONE stream
// interceptor per side: the call is described once, timed once, and its stream wrapped once,
// and every Reporter gets the same duration. Reportables run in the order given, each seeing
// the context the earlier ones derived; PostCall runs in the reverse order, like deferred calls,
// so the first signal (tracing) sees the call end last.
//
//	srv := grpc.NewServer(interceptors.ServerOptions(
//		tracing.NewServer(),
//		serverMetrics,
//		logging.NewServer(logger),
//	)...)
//
//	conn, err := grpc.NewClient(target, append(interceptors.DialOptions(
//		tracing.NewClient(),
//		clientMetrics,
//		logging.NewClient(logger),
//	), grpc.WithTransportCredentials(creds))...)
//
// Every call ends exactly once. A client stream ends when RecvMsg returns its final result,
// when SendMsg or Header fails, or when the stream's context ends without anyone reading the
// final status (the caller cancelled, its deadline passed, the connection closed): a caller
// that abandons a stream does not leave a span open or an in-flight gauge up. A handler panic
// that no recovery interceptor inside the stack caught is reported as a *PanicError (code
// INTERNAL) before the panic goes on; with go-grpc-middleware's recovery inside the stack, use
// RecoverPanic as its handler so the signals still know it was a panic.
//
// The status policy (which codes are errors on which side) is one table shared by every
// signal: see IsError.
package interceptors

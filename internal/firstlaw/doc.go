// Package firstlaw proves grpcobs' first law: observability never changes the call it
// observes. Its tests are the proof; its code is for tests only: the observers (the sinks
// grpcobs records to: a span recorder, a Prometheus registry, a log hook per side), FullStack,
// which wires the whole stack to them, the checks that each side recorded each call exactly
// once with its code, and Refusal, which makes a server refuse a stream so that grpc-go
// retries it transparently. The grpcinterop, mwcompat and attempts test packages use them too.
//
// The differential suite runs each scenario twice against the same small service: bare (no
// grpcobs on either side) and with the full stack on both sides (tracing, metrics and logging,
// in that order). It asserts that the caller sees the same thing both times (code, status
// message, headers, trailers, messages received) and that the handler sees the same attempts
// with the same outcomes. With the stack, it also asserts that each side recorded exactly one
// span, one grpc_*_handled_total increment and one "finished call" line per call, every one
// with the code the call really ended with: on the client the code the caller got, on the
// server the code the handler returned. "Exactly once" is checked twice: when the records are
// first all in, and again after a pause, so that a late duplicate fails the test.
//
// The scenarios are the cases where an interceptor can most easily change a call: retry
// policies, transparent retries of refused streams, Header first on a trailers-only response,
// Trailer after the end, CloseSend without reading, abandoned and cancelled streams, a
// connection closed mid-stream, deadlines, wait-for-ready, oversized messages, compression,
// and concurrent SendMsg and RecvMsg on one stream. TestChaos adds seeded random rounds of
// them, mixed with GOAWAY and servers stopped, restarted or down, and compares what timing
// cannot change (docs/RELIABILITY.md, "Chaos differential"). The stack under test is wired as
// a user wires it:
//
//	srv := grpc.NewServer(interceptors.ServerOptions(
//		tracing.NewServer(tracing.WithTracerProvider(tp)),
//		serverMetrics,
//		logging.NewServer(logger),
//	)...)
//	conn, err := grpc.NewClient(target, append(interceptors.DialOptions(
//		tracing.NewClient(tracing.WithTracerProvider(tp), tracing.WithAttemptSpans()),
//		clientMetrics, // metrics.NewClientMetrics(metrics.WithAttempts())
//		logging.NewClient(logger),
//	), grpc.WithTransportCredentials(creds))...)
package firstlaw

// Package tracing traces gRPC calls with OpenTelemetry, as one signal of the grpcobs stack:
// a SERVER span for every call a server receives and a CLIENT span for every call a client
// makes, named "package.Service/Method", with the W3C trace context and baggage carried in the
// gRPC metadata between them.
//
// Server and Client are reportables for the grpcobs interceptors. In the stack, tracing comes
// first, so that metrics (exemplars) and logging (trace_id, span_id, baggage fields) see the
// span and the baggage it puts in the context:
//
//	srv := grpc.NewServer(interceptors.ServerOptions(
//		tracing.NewServer(tracing.WithTracerProvider(tp), tracing.WithFilter(filter.Not(filter.HealthChecks()))),
//		serverMetrics,
//		logging.NewServer(logger),
//	)...)
//
//	conn, err := grpc.NewClient(target, append(interceptors.DialOptions(
//		tracing.NewClient(tracing.WithTracerProvider(tp)),
//		clientMetrics,
//		logging.NewClient(logger),
//	), grpc.WithTransportCredentials(creds))...)
//
// Alone, tracing is interceptors.ServerOptions(tracing.NewServer()) and
// interceptors.DialOptions(tracing.NewClient()).
//
// # Spans
//
// Attributes follow the OpenTelemetry semantic conventions v1.43.0, as otelgrpc v0.72 does:
// rpc.system.name, rpc.method ("package.Service/Method"), rpc.response.status_code ("OK",
// "NOT_FOUND", …), error.type when the call failed, and on server spans the caller's address
// (network.peer.address, network.peer.port) and the server's own (server.address,
// server.port). OTEL_SEMCONV_STABILITY_OPT_IN=rpc/old or rpc/dup selects or adds the v1.37.0
// names (rpc.system, rpc.service, rpc.grpc.status_code), as in otelgrpc.
//
// The span status follows the status policy (WithStatusPolicy; by default
// interceptors.DefaultStatusPolicy, the one every grpcobs signal starts from): on the client every code but OK is an error, on the server only UNKNOWN,
// DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE and DATA_LOSS are. The description
// is the status message. A handler panic (an *interceptors.PanicError) adds an exception
// event with the panic value and its stack.
//
// With WithAttemptSpans, each attempt grpc-go makes of a client call (retry policies,
// transparent retries) gets a span of its own under the call's span, named
// "Attempt.package.Service.Method", with the attempt's code, previous-rpc-attempts and
// transparent-retry; each attempt sends its own span's trace context, so the server span of
// each attempt is the child of its attempt span:
//
//	conn, err := grpc.NewClient(target, append(interceptors.DialOptions(
//		tracing.NewClient(tracing.WithAttemptSpans()),
//	), grpc.WithTransportCredentials(creds))...)
//
// # Propagation
//
// The server extracts the caller's trace context and baggage and puts both in the handler's
// context (baggage.FromContext); the client injects its context's, so a server that calls
// onwards passes them on. Hostile metadata does not break a call: a malformed, repeated,
// oversized or non-ASCII traceparent makes the span a new root, bad baggage is dropped, binary
// (-bin) keys are never read as trace context, and what a client sends keeps to the W3C
// baggage limits (64 members, 8192 bytes). With WithPublicEndpoint, callers are untrusted:
// each call starts a new trace linked to the caller's, and the caller's baggage is dropped.
//
// Credentials never reach a span: no metadata is copied into spans, and WithBaggageAttributes
// refuses keys that name credentials.
package tracing

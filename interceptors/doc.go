// Package interceptors is grpcobs' call plumbing: the only place that knows the four gRPC
// interceptor signatures (unary and stream, server and client).
//
// Each signal (tracing, metrics, logging) implements go-grpc-middleware's ServerReportable and
// ClientReportable: given the call's CallMeta it returns a Reporter and a derived context. The
// stack in this package composes any number of reportables into ONE unary and ONE stream
// interceptor per side: the call is described once, timed once, and its stream wrapped once,
// and every Reporter gets the same duration.
//
// # Order
//
// Reportables start in order, each seeing the context the earlier ones derived; PostCall runs
// in the reverse order, like deferred calls. grpcobs' own signals run in the order they need,
// whatever order they are given in: tracing first (it puts the span and the baggage into the
// context), then the signals that read the span (metrics' exemplars), then logging (its fields
// read the span and the baggage). They take the places grpcobs signals held in the list, so
// any other reportable keeps its position.
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
// Interceptors chained by options after ServerOptions run inside the stack, closer to the
// handler. A legacy grpc.UnaryInterceptor or grpc.StreamInterceptor option runs outermost
// wherever it is listed, so the calls it rejects leave no span and no metric: chain it with
// grpc.ChainUnaryInterceptor and grpc.ChainStreamInterceptor instead.
//
// # Known methods
//
// The stack resolves each call's method once, for every signal: a known method is named (a
// span name, a label value, a status page row), every other one is folded into the signal's
// bounded "other" value, so callers cannot mint names. Known are the methods registered on the
// server a call reached, those generated code linked into the program declares, those of a
// server given to metrics.ServerMetrics.InitializeMetrics, and, through a Stack, those
// WithKnownMethods lists and the first WithFirstSeenMethods(n):
//
//	stack, err := interceptors.NewStack(interceptors.WithKnownMethods("/dynamic.v1.Catalog/Lookup"))
//	…
//	conn, err := grpc.NewClient(target, append(stack.DialOptions(tracing.NewClient(), clientMetrics),
//		grpc.WithTransportCredentials(creds))...)
//
// # Options
//
// Every grpcobs package takes the same rule for options. A nil option, or an option given a
// nil value, is ignored: the default stays. An option given a value its constructor cannot use
// is an error that names the option, such as "interceptors.WithKnownMethods: "Echo" is not a
// full method name", returned before the first call; nothing panics and nothing is only
// logged. NewStack, NewStatusPolicy and statuspage.New return it. metrics.ServerMetrics and
// metrics.ClientMetrics return it from Register, where a Prometheus collector is checked (their
// constructors keep go-grpc-middleware's signature). Tracing, OpenTelemetry metrics and logging
// take no value they cannot use, so their constructors return no error. Signals of one stack
// given different status policies are no option value but a wiring mistake: the stack's
// constructors, which return no error, panic on it, naming the signals and the codes.
//
// # The first law
//
// The stack never changes the call: the caller and the handler see what they see bare, codes,
// messages, headers, trailers, retries and the attempts that reach the server, and every call
// is recorded once per side with the code the caller got. In particular the client stream
// wrapper never calls the stream's Context before the caller does: in grpc-go that commits the
// attempt, which would turn off retry policies and transparent retries.
//
// A client stream ends when grpc-go finishes it, learnt through grpc.OnFinish: when RecvMsg
// returns the final status, when the caller cancels or its deadline passes (also while nobody
// reads: an abandoned stream does not leave a span open or an in-flight gauge up), when the
// ClientConn closes, or when the stream fails to start. A finish that comes while no operation
// runs is recorded when the caller reads the status next, or, if it reads none for a second,
// with the finish's code and time: grpc-go may finish a stream as CANCELLED whose status had
// already come in, and the caller then reads that status. A Header call on a trailers-only
// response finishes the stream too, and the call is recorded with the status the caller then
// reads from RecvMsg (grpc-go's Header never returns the error). PostCall never overlaps, nor
// comes before, a message report of the same call. An interceptor inside the stack may create
// several streams for one call (go-grpc-middleware's retry re-creates a failed one); the
// finishes of the streams it throws away do not end the call. The rules are one state machine
// over the caller's operations, grpc-go's finishes and the caller's context, drawn with its
// limits in docs/DESIGN.md ("Client call lifecycle") and checked by a seeded schedule
// explorer in this package's tests.
//
// # Attempts
//
// grpc-go retries a call itself (a service config's retryPolicy, and transparently a stream
// refused before it reached the server's handler); the interceptors see one call. When a
// grpcobs signal asks for each attempt (tracing.WithAttemptSpans, metrics.WithAttempts),
// DialOptions also installs a stats handler of its own that follows the attempts of the
// stack's calls: it numbers them and tells those signals when each begins and ends, and the
// finished-call log line of a call attempted more than once carries the attempts. It only
// observes (the one thing it lets a signal change is the trace context each attempt sends).
// With no signal asking, DialOptions returns the two interceptors alone.
//
// # Panics
//
// A handler panic that no recovery interceptor inside the stack caught is reported as a
// *PanicError (code INTERNAL) before the panic goes on. With go-grpc-middleware's recovery
// inside the stack, its default handler's error (code UNKNOWN for the caller) is recognised
// too (see PanicOf), and RecoverPanic as its handler makes the caller get INTERNAL.
//
// # Reporters
//
// A reportable never returns a nil Reporter (go-grpc-middleware's interceptors call whatever
// they get): for a call it does not record it returns go-grpc-middleware's NoopReporter, which
// the stack leaves out of the call.
//
// The status policy (which codes are errors on which side) is one table shared by every
// signal: see IsError.
package interceptors

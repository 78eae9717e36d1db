// Package logging logs every gRPC call as one structured line that carries the call's trace
// ids, through logrus or log/slog, and gives handlers a request-scoped logger whose lines
// correlate with it.
//
// NewServer and NewClient return reportables for grpcobs' one-pass stack. Put them after
// tracing, so that the call's span (the server span, or the client span) and its baggage are
// in the context when the line is built:
//
//	logger := logrus.New()
//	logger.SetFormatter(&jsonformat.Formatter{})
//
//	srv := grpc.NewServer(interceptors.ServerOptions(
//		tracing.NewServer(),
//		serverMetrics,
//		logging.NewServer(logger, logging.WithFilter(filter.HealthChecksOnlyOnFailure())),
//	)...)
//
//	conn, err := grpc.NewClient(target, append(interceptors.DialOptions(
//		tracing.NewClient(),
//		clientMetrics,
//		logging.NewClient(logger),
//	), grpc.WithTransportCredentials(creds))...)
//
// A call's "finished call" line carries grpc.component, grpc.service, grpc.method,
// grpc.method_type, grpc.code, grpc.time_ms (a number), peer.address (servers), trace_id and
// span_id (whenever the span context is valid, sampled or not), grpc.request.deadline (when the
// call has one), error (when it failed; its text capped at 512 bytes of valid UTF-8, then "…",
// as the status page caps a status message), and the allowlisted baggage members and metadata
// (see the Field constants). Its level comes from grpcobs' shared status policy (PolicyLevel),
// overridable per code. Filters see the outcome, so "health checks only when they fail" and
// "one in a hundred successes, every failure" are one option each.
//
// Inside a handler, FromContext(ctx) returns a *logrus.Entry that already carries the call's
// method and trace ids; it is built on first use, so handlers that do not log pay nothing.
//
// With log/slog, NewSlogServer and NewSlogClient take a *slog.Logger and the same options, and
// write the same fields with the same values as slog records (the options keep logrus' level
// names; see docs/logging.md for how they map). SlogFromContext is the request-scoped
// *slog.Logger; or wrap the handler of the logger the handlers already use in a SlogHandler,
// and their slog.InfoContext(ctx, …) lines carry the call's fields and trace ids:
//
//	logger := slog.New(logging.NewSlogHandler(slog.NewJSONHandler(os.Stdout, nil)))
//	srv := grpc.NewServer(interceptors.ServerOptions(tracing.NewServer(), logging.NewSlogServer(logger))...)
//
// Payload logging is opt-in (WithPayloads) and redacted; metadata is logged by allowlist only
// (WithMetadataFields), and credentials never are, whatever the list says.
//
// logrus writes each line before the call that logged it returns: give the logger an output
// that does not block, such as AsyncWriter, whose queue is bounded in lines and in bytes and
// which counts every line it loses (Dropped: not queued; Failed: the output refused it).
//
// The lines are built for the fast JSON formatter in the jsonformat sub-package, which writes
// valid single-line JSON for any value; any logrus formatter works. With that formatter, no
// hook for the line's level and no ReportCaller, a call's line is written straight to the
// logger's output under the logger's own lock, in key order, without a logrus entry: the bytes
// logrus would write, at a lower cost. InterceptorLogger adapts
// logrus to go-grpc-middleware's logging interceptor, for users of that one.
package logging

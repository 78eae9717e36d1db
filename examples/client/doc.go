// Command client is the grpcobs demo client. It instruments its connection with the whole
// grpcobs client stack (tracing, Prometheus and OpenTelemetry metrics, and logging in one
// interceptor), puts the -baggage members into every call's context, calls each of
// DemoService's four kinds -n times plus one call that fails on purpose, and prints each
// call's trace id and code, then a summary of its own client metrics.
//
//	client -addr localhost:50051 -n 3 -baggage "user=alice,tenant=acme"
//
// With -loop it makes those calls, plus an Echo the server fails with UNAVAILABLE on every
// attempt (retried, then given up), in turn, -rate a second, until SIGINT or SIGTERM (or
// -duration), then prints the summary and exits 0: steady traffic for `make up`.
//
// Call logs go to stderr as JSON, written by -log-backend: logrus (the default) or slog
// (logging.NewSlogClient on log/slog's JSONHandler). Spans go where the OTEL_* environment
// says, and so do the OpenTelemetry call metrics when OTEL_METRICS_EXPORTER asks for them
// ("console": readable, on stderr, at exit), and the call logs when OTEL_LOGS_EXPORTER does:
// through OpenTelemetry's bridge for the backend, each record with its call's trace and span
// ids, flushed at exit, while stderr keeps its JSON lines. A server that cannot be reached gives a clear error and exit code 1; bad
// flags exit 2.
package main

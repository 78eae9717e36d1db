// Command server is the grpcobs demo server: grpcobs.demo.v1.DemoService served through the
// whole grpcobs server stack (tracing, Prometheus metrics, OpenTelemetry metrics, the status
// page and logging in one interceptor, with go-grpc-middleware's recovery inside it), the
// grpc.health.v1 service driven by a checker registry, and gRPC server reflection.
//
// Every gRPC service of the server is a health service (health.Registry.AddServer),
// following the overall status.
//
// -http-addr serves /metrics (OpenMetrics when asked for, so exemplars show), /healthz
// (liveness) and /readyz (readiness), each answering its status alone as JSON, 200 when
// serving and 503 when not. -admin-addr (default localhost:8081; empty turns it off) is for
// operators: the status page at /debug/grpcobs (its URL is in the "serving" log line), and
// /healthz and /readyz with the checks' details, whose errors name hosts and ports. Traces and
// OpenTelemetry metrics go where the OTEL_* environment says (OTEL_TRACES_EXPORTER,
// OTEL_METRICS_EXPORTER: otlp, console on stderr, or none; see examples/internal/telemetry);
// stdout carries JSON log lines only, through a bounded asynchronous writer, so a stalled
// stdout holds neither calls nor the shutdown.
//
// -log-backend picks what writes the log lines: logrus (the default) or slog (log/slog's
// JSONHandler, or TextHandler with -log-format text, at -log-level). With slog, the calls'
// lines come from logging.NewSlogServer, the handlers' from logging.SlogFromContext, and the
// server's own and the health registry's lines, written through logrus, are handed to the
// same slog handler, so stdout has one format. With OTEL_LOGS_EXPORTER=otlp (or console, on
// stderr), every line is also sent through OpenTelemetry's bridge for the backend (otellogrus,
// otelslog), a call's records carrying the trace and span ids of the call (the handler's line,
// of its child span); stdout keeps its lines either way. The records are flushed at exit.
//
//	server -grpc-addr :50051 -http-addr :8080 -admin-addr localhost:8081 -dependency-addr db:5432
//	OTEL_LOGS_EXPORTER=otlp server -log-backend slog
//
// On SIGTERM or SIGINT every health service turns NOT_SERVING at once, the server keeps
// serving for -drain so balancers notice, then stops gracefully, flushes its spans, metrics
// and log records, and exits 0.
// Bad flags exit 2.
package main

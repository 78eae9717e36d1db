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
//	server -grpc-addr :50051 -http-addr :8080 -admin-addr localhost:8081 -dependency-addr db:5432
//
// On SIGTERM or SIGINT every health service turns NOT_SERVING at once, the server keeps
// serving for -drain so balancers notice, then stops gracefully, flushes its spans and exits 0.
// Bad flags exit 2.
package main

// Package telemetry sets up the examples' OpenTelemetry tracer, meter and logger providers
// from the standard OTEL_* environment variables.
//
// OTEL_TRACES_EXPORTER picks the exporter: "otlp" sends spans over
// OTLP, with OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL ("grpc" or
// "http/protobuf") read by otel's own exporters; "console" prints them readably on stderr;
// "none" drops them. Unset means "console". The resource carries service.name (the caller's
// default, overridden by OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES), and the sampler
// follows OTEL_TRACES_SAMPLER as the SDK reads it.
//
// OTEL_METRICS_EXPORTER picks the metrics exporter, for grpcobs' OpenTelemetry metrics signal
// (interceptors/otelmetrics): "otlp" sends them over OTLP, as for spans; "console" prints them
// readably on stderr, at each export interval (OTEL_METRIC_EXPORT_INTERVAL) and at shutdown;
// "none" drops them. Unset means "none": the examples' metrics are the Prometheus series on
// /metrics, and the OpenTelemetry ones are exported only when asked for.
//
// OTEL_LOGS_EXPORTER picks the logs exporter, for the examples' log lines sent through
// OpenTelemetry's log bridges (Setup.AddLogrusHook for logrus, Setup.SlogHandler for
// log/slog): "otlp" sends them over OTLP, as for spans, each record with the trace and span
// ids of the context it was logged with; "console" prints them readably on stderr; "none"
// drops them. Unset means "none": the examples' logs are their JSON lines, which they write
// with or without an exporter. Records are batched (OTEL_BLRP_SCHEDULE_DELAY and the other
// OTEL_BLRP_* variables) and flushed by Setup.Shutdown.
package telemetry

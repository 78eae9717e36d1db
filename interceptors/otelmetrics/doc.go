// Package otelmetrics records gRPC calls as OpenTelemetry metrics, on servers and clients, as
// one signal of the grpcobs stack, through any metric.MeterProvider: an SDK provider that
// exports OTLP to a collector, or otel's global one (the default, looked up at each call so
// that a later otel.SetMeterProvider applies). It stands beside interceptors/metrics, which
// keeps the Prometheus series of go-grpc-prometheus: use either, or both.
//
// By default it records the RPC metrics of the semantic conventions v1.43.0, the version
// grpcobs' spans follow and otelgrpc v0.72 records:
//
//	rpc.server.call.duration  histogram  s  rpc.system.name, rpc.method, rpc.response.status_code, error.type
//	rpc.client.call.duration  histogram  s  the same, and server.address, server.port
//
// with the conventions' advisory buckets (5 ms to 10 s). rpc.method is "package.Service/Method",
// or "_OTHER" for a method that no generated code linked into the program declares, so that
// the names callers make up add no series; error.type (the code's name) is set when the
// status policy calls the code an error on that side (WithStatusPolicy; by default
// interceptors.DefaultStatusPolicy: on a client every code but OK). server.address and
// server.port are those of the target the client dialled, as on grpcobs' client spans.
// OTEL_SEMCONV_STABILITY_OPT_IN works as for grpcobs' spans: "rpc/old" records the v1.37.0
// histograms instead (rpc.server.duration and rpc.client.duration, in milliseconds, with
// rpc.system, rpc.service, rpc.method and rpc.grpc.status_code), "rpc/dup" records both, each
// with its own version's attributes.
//
// With WithA66 it records instead the call metrics of gRFC A66, named, labelled and bucketed as
// grpc-go's stats/opentelemetry plugin does: grpc.server.call.started,
// grpc.server.call.duration and grpc.client.call.duration, with grpc.method ("other" for an
// unknown method), grpc.status and, on clients, grpc.target (the connection's canonical
// target; past 64 targets, "other"). With WithAttempts too, a client also records the
// plugin's per-attempt metrics (grpc.client.attempt.started, grpc.client.attempt.duration and
// the compressed bytes each attempt sent and received), through the stats handler
// interceptors.DialOptions then installs: grpc-go retries below the interceptors, and only a
// stats handler sees each attempt and the compressed sizes. The plugin's server
// compressed-size histograms (grpc.server.call.sent_total_compressed_message_size and
// grpc.server.call.rcvd_total_compressed_message_size) are NOT recorded, nor approximated:
// grpcobs installs no stats handler on servers.
//
// A call's duration is the stack's: the one clock reading the span and the log line also use,
// and a stream's covers the whole stream. When the call's context holds a sampled span (put
// there by grpcobs' tracing, which runs first), the measurement is recorded with that context,
// so the SDK's exemplar reservoir links it to the trace with no code in the handler.
// Recording a call costs no allocation unless its span is sampled, and then one.
//
// Wiring, with tracing first:
//
//	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exporter)))
//	srv := grpc.NewServer(interceptors.ServerOptions(
//		tracing.NewServer(),
//		otelmetrics.NewServer(otelmetrics.WithMeterProvider(mp)),
//	)...)
//
// and on a client:
//
//	conn, err := grpc.NewClient(target, append(interceptors.DialOptions(
//		tracing.NewClient(),
//		otelmetrics.NewClient(otelmetrics.WithMeterProvider(mp)),
//	), grpc.WithTransportCredentials(creds))...)
//
// or, to replace grpc-go's plugin on a client, attempts included:
//
//	otelmetrics.NewClient(otelmetrics.WithMeterProvider(mp), otelmetrics.WithA66(), otelmetrics.WithAttempts())
//
// docs/otelmetrics.md has the metric and attribute tables, when to choose which family, how to
// run both during a migration, and how the metrics compare with otelgrpc's and grpc-go's.
package otelmetrics

// Package bench measures what grpcobs costs a gRPC call, against a bare call and against the
// anchor stack most Go services run today: otelgrpc's stats handlers, go-grpc-middleware's
// providers/prometheus and go-grpc-middleware's logging through a logrus adapter.
//
// It is its own module, so the grpcobs library never depends on the anchors. Configs lists the
// named configurations; each builds a Stack, the server and dial options of one configuration
// with fresh resources (a tracer provider, a Prometheus registry, a logger), all writing to
// sinks that keep nothing:
//
//	for _, cfg := range bench.Configs() {
//		stack := cfg.Build()
//		srv := grpc.NewServer(stack.ServerOptions...)
//		conn, err := grpc.NewClient(target, append(stack.DialOptions, creds)...)
//		…
//		_ = stack.Shutdown(ctx)
//	}
//
// The benchmarks (bench_test.go) run every configuration over bufconn and loopback TCP, and
// TestAllocsCeiling guards their allocations. run.sh runs the benchmarks in interleaved rounds
// and summarises them with benchstat and the commands under cmd/ (table: ratios to bare and
// targets; plot: the PNG; splice: writes a section of docs/BENCHMARKS.md); loadtest.sh drives
// the example server with ghz and summarises with cmd/loadreport. docs/BENCHMARKS.md has the
// figures.
package bench

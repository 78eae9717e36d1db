// Package reliability holds grpcobs' whole-stack reliability and security tests, and nothing
// else: every test runs real gRPC calls through the full stack on both sides (tracing, metrics
// and logging on the server and on the client, in the documented order) and asserts on
// everything the stack produced: every span, every log line, every metric series.
//
// What they prove, one story per file:
//
//   - soak_test.go: a mix of calls of all four kinds, 10% failing with assorted codes, some
//     client streams cancelled mid-stream and some abandoned without reading, ends each call
//     exactly once on both sides: one server span, one client span, one server and one client
//     log line per call, each with the call's code; handled counters equal to the calls made
//     per code; in-flight gauges at 0; goroutines back to their baseline; the live heap flat.
//     The size is the test flag -soak.calls (default 10,000; scripts/soak.sh runs 100,000).
//   - cardinality_test.go: 10,000 random method names, through an unknown-service handler and
//     a client, add no metric series, no span name, no attribute value but rpc.method_original,
//     and no memory; a method name that is not UTF-8 does not break OTLP export.
//   - hostile_metadata_test.go: megabyte baggage, 10,000 members, thousands of keys, binary and
//     invalid UTF-8 values succeed and stay within the limits, also on a server's onward call;
//     metadata past gRPC's header list limit fails cleanly; a megabyte allowlisted value is
//     logged cut to a bound.
//   - credentials_test.go: with every option that copies call data into output turned on,
//     credentials in metadata, and baggage members named like credentials, reach no log line,
//     span or metric label.
//   - public_endpoint_test.go: a public endpoint drops untrusted baggage everywhere and starts
//     a new trace linked to the caller's.
//   - health_faults_test.go: hung, panicking and flapping checkers, a dependency killed and
//     restarted under 1,000 watchers, and Shutdown during active Watches.
//
// docs/RELIABILITY.md lists the figures these tests and the fuzz targets produce, the commands
// that produced them, and the defects these tests found (all fixed).
package reliability

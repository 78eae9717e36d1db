// Command loadreport summarises the ghz runs of bench/loadtest.sh as a Markdown table: for the
// example server with the full grpcobs stack and with observability off, the median over the
// rounds of the throughput and of the p50 and p99 latencies, and the ratios between the two.
//
//	go run ./cmd/loadreport -full out/loadtest/full-*.json -bare out/loadtest/bare-*.json
//
// Each file is one ghz report (ghz -O json).
package main

// Command plot draws the overhead of every configuration over a bare gRPC call, from the bench
// module's benchmark results, as a PNG of grouped bars: one panel per transport, one group per
// configuration, one bar per benchmark, the height being the median time ratio to bare in the
// same run. Dashed lines mark the bare call (1×) and the full stack's target (1.5×).
//
//	go run ./cmd/plot -o ../docs/overhead.png out/results.txt
package main

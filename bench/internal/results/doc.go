// Package results reads the output of the bench module's benchmarks (the standard Go
// benchmark format, several rounds appended in one file) and summarises it the way the
// reports need: the median time and allocations per operation of every benchmark, transport
// and configuration, and each configuration's ratio to the bare one measured in the same run.
//
//	set, err := results.Read(file, "results.txt")
//	ratio, extraAllocs, ok := set.VersusBare(results.Key{Benchmark: "Unary", Transport: "bufconn", Config: "grpcobs-full"})
package results

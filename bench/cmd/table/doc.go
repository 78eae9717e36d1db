// Command table turns the bench module's benchmark results into the Markdown tables of
// docs/BENCHMARKS.md: for each transport, every configuration's time ratio to bare and its
// extra allocations per operation, then the targets, each met or missed.
//
//	go run ./cmd/table out/results.txt | go run ./cmd/splice -section bench-table ../docs/BENCHMARKS.md
package main

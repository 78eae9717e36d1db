// Command splice replaces a generated section of a Markdown file with its standard input: the
// lines between <!-- SECTION:begin --> and <!-- SECTION:end -->, so that the bench scripts can
// refresh the tables of docs/BENCHMARKS.md and leave the prose around them alone.
//
//	go run ./cmd/table out/results.txt | go run ./cmd/splice -section bench-table ../docs/BENCHMARKS.md
package main

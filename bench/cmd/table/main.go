package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/grpcobs/grpcobs/bench/internal/results"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: table RESULTS.txt")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "table:", err)
		os.Exit(1)
	}
}

func run(resultsPath string) error {
	f, err := os.Open(resultsPath)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	set, err := results.Read(f, resultsPath)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(os.Stdout)
	writeRatios(out, set)
	writeTargets(out, set)
	return out.Flush()
}

package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/grpcobs/grpcobs/bench/internal/results"
)

func main() {
	out := flag.String("o", "overhead.png", "PNG file to write")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: plot [-o FILE.png] RESULTS.txt")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out); err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
}

func run(resultsPath, pngPath string) error {
	f, err := os.Open(resultsPath)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	set, err := results.Read(f, resultsPath)
	if err != nil {
		return err
	}
	return writePNG(set, pngPath)
}

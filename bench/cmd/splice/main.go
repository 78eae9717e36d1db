package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	section := flag.String("section", "", "name of the section to replace (required)")
	flag.Parse()
	if *section == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: splice -section NAME FILE.md < content")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *section, os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "splice:", err)
		os.Exit(1)
	}
}

func run(path, section string, content io.Reader) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	replacement, err := io.ReadAll(content)
	if err != nil {
		return err
	}
	out, err := splice(doc, section, replacement)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}

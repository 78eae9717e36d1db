package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run writes the dashboard JSON to -o (stdout by default), or with -check compares it with a
// committed file. It returns the exit code: 0 done, 1 stale or failed, 2 bad flags.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dashboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the dashboard JSON to this file instead of stdout")
	check := fs.String("check", "", "compare the generated JSON with this committed file; exit 1 when they differ")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || (*out != "" && *check != "") {
		fmt.Fprintln(stderr, "dashboard: takes either -o FILE or -check FILE, and no arguments")
		return 2
	}
	generated, err := JSON()
	if err != nil {
		fmt.Fprintf(stderr, "dashboard: %v\n", err)
		return 1
	}
	switch {
	case *check != "":
		committed, err := os.ReadFile(*check)
		if err != nil {
			fmt.Fprintf(stderr, "dashboard: %v\n", err)
			return 1
		}
		if !bytes.Equal(committed, generated) {
			fmt.Fprintf(stderr, "dashboard: %s is not what the code generates: run `make dashboard` and commit it\n", *check)
			return 1
		}
		return 0
	case *out != "":
		err = os.WriteFile(*out, generated, 0o644)
	default:
		_, err = stdout.Write(generated)
	}
	if err != nil {
		fmt.Fprintf(stderr, "dashboard: %v\n", err)
		return 1
	}
	return 0
}

// Command cmd writes or checks api/grpcobs.txt, the exported API of the root module's
// packages (see package apisnapshot). Run from the module root:
//
//	go run ./internal/apisnapshot/cmd -o api/grpcobs.txt      # make api
//	go run ./internal/apisnapshot/cmd -check api/grpcobs.txt  # make api-check
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/grpcobs/grpcobs/internal/apisnapshot"
)

func main() {
	out := flag.String("o", "", "write the snapshot to `file`")
	check := flag.String("check", "", "fail, with the difference, when `file` is not the code's snapshot")
	flag.Parse()
	if (*out == "") == (*check == "") {
		fmt.Fprintln(os.Stderr, "apisnapshot: give one of -o and -check")
		os.Exit(2)
	}
	lines, err := apisnapshot.Snapshot(".")
	if err == nil {
		if *out != "" {
			err = apisnapshot.Write(*out, lines)
		} else {
			err = apisnapshot.Check(*check, lines)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apisnapshot:", err)
		os.Exit(1)
	}
}

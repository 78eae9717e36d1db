// Package apisnapshot records the exported API of the root module's packages as sorted text
// lines, one per exported identifier with its signature, in the spirit of the Go project's
// api/*.txt files, so that a change to the API is a visible change to a committed file
// (api/grpcobs.txt, written and checked by ./cmd through `make api` and `make api-check`).
//
// It reads the packages' compiled export data (go list -export) with the standard library's
// importer, so it needs no dependency beyond the go command.
package apisnapshot

// Package docsnippets compiles every Go code block of README.md and docs/*.md, so that a
// block a user copies builds against the code as it is, and a change that breaks one fails
// `make test`. Its test lists each block it compiles by file and line.
//
// The convention, for a block fenced as ```go:
//
//   - A block that starts with a package clause is a whole file and is compiled as it is.
//   - A block that starts with func or type declares things: it is compiled as the body of a
//     file.
//   - Any other block is a fragment: statements, compiled as the body of a function that
//     returns an error (so a fragment may `return err`). Import declarations at its start are
//     moved to the file's imports. Each variable it declares at its top level is also used,
//     so that `conn, err := grpc.NewClient(…)` compiles alone.
//   - A package a block names (metrics.X, grpc.X, healthpb.X, …) is imported from the one
//     table in names.go; a name the table lacks fails the test, naming the block.
//   - What a declarations block declares is also declared for the blocks after it on the
//     same page, as in one program.
//   - The variables, types and functions a block uses but does not declare (ctx, tp, logger,
//     target, creds, db, …) are the ones declared in testdata/given.go, with the types the
//     docs imply. pb stands for the reader's generated code: package pb here.
//   - A block the docs deliberately do not compile is preceded, in the Markdown, by a line
//     that starts with "*Not compiled:" and gives the reason; it is listed as such.
//
// Each block becomes its own package, given to `go build` through an overlay, so no file is
// written into the tree. Errors point at the Markdown file and line (a //line directive).
package docsnippets

//go:build race

package docsnippets_test

// buildFlags make the blocks' build share the compiled packages of the race-enabled test run
// it is part of.
var buildFlags = []string{"-race"}

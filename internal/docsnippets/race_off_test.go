//go:build !race

package docsnippets_test

// buildFlags are those of the test run the blocks' build is part of: none.
var buildFlags []string

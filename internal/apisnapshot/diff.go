package apisnapshot

import "slices"

// Diff compares a recorded snapshot with the code's, both sorted: the lines only recorded,
// each prefixed "- ", then the lines only in the code, "+ ". Empty when they agree.
func Diff(recorded, code []string) []string {
	var gone, added []string
	for _, l := range recorded {
		if _, found := slices.BinarySearch(code, l); !found {
			gone = append(gone, "- "+l)
		}
	}
	for _, l := range code {
		if _, found := slices.BinarySearch(recorded, l); !found {
			added = append(added, "+ "+l)
		}
	}
	return append(gone, added...)
}

package apisnapshot

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// Snapshot returns the exported API of the Go module in dir: the lines of every covered
// package (Load, Lines), sorted.
func Snapshot(dir string) ([]string, error) {
	pkgs, err := Load(dir)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, p := range pkgs {
		lines = append(lines, Lines(p)...)
	}
	slices.Sort(lines)
	return lines, nil
}

// Write writes lines to the file at path, one a line.
func Write(path string, lines []string) error {
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// Check compares the snapshot recorded in the file at path with the code's, lines, and
// returns an error that lists the difference and says how to update the file.
func Check(path string, lines []string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	recorded := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	slices.Sort(recorded)
	if diff := Diff(recorded, lines); len(diff) > 0 {
		return fmt.Errorf("the exported API is not the one recorded in %s (- recorded, + in the code):\n%s\n"+
			"if the change is intended, run 'make api' and commit %s", path, strings.Join(diff, "\n"), path)
	}
	return nil
}

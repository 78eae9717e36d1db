package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunWritesAPNG(t *testing.T) {
	out := filepath.Join(t.TempDir(), "overhead.png")
	if err := run("testdata/results.txt", out); err != nil {
		t.Fatalf("run: %v", err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("%s is not a PNG", out)
	}
}

func TestRunRejectsResultsWithoutOurBenchmarks(t *testing.T) {
	in := filepath.Join(t.TempDir(), "other.txt")
	if err := os.WriteFile(in, []byte("BenchmarkOther-2 10 5 ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(in, filepath.Join(t.TempDir(), "x.png")); err == nil {
		t.Error("run on results without transport=/config= benchmarks: nil error, want one")
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestCommittedJSONIsGenerated is the regeneration check: grpcobs.json is byte for byte what
// the code generates.
func TestCommittedJSONIsGenerated(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-check", "grpcobs.json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("-check grpcobs.json exited %d: %s", code, stderr.String())
	}
}

func TestCheckFailsOnAStaleFile(t *testing.T) {
	stale := filepath.Join(t.TempDir(), "stale.json")
	if err := os.WriteFile(stale, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-check", stale}, &stdout, &stderr); code != 1 {
		t.Fatalf("-check on a stale file exited %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "make dashboard") {
		t.Errorf("stderr = %q, want it to say how to regenerate", stderr.String())
	}
}

func TestWritesTheFileItChecks(t *testing.T) {
	out := filepath.Join(t.TempDir(), "grpcobs.json")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-o", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("-o exited %d: %s", code, stderr.String())
	}
	if code := run([]string{"-check", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("-check of the file -o wrote exited %d: %s", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("-o also wrote %d bytes to stdout", stdout.Len())
	}
}

func TestBadFlagsExit2(t *testing.T) {
	for _, args := range [][]string{{"-nope"}, {"extra"}, {"-o", "a", "-check", "b"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) exited %d, want 2", args, code)
		}
	}
}

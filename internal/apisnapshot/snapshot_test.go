package apisnapshot_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/internal/apisnapshot"
)

const mod = "testdata/mod"

// The snapshot of testdata/mod: package p's every exported identifier, field and method, and
// nothing of its internal, examples, proto and main packages.
var want = []string{
	`pkg example.com/m/p, const Name untyped string = "p"`,
	`pkg example.com/m/p, const Timeout time.Duration = 3000000000`,
	`pkg example.com/m/p, func Map[T any, U any]([]T, func(T) U) []U`,
	`pkg example.com/m/p, func New(string, ...Option) (*Server, error)`,
	`pkg example.com/m/p, method (*Server) Serve(context.Context, ...string) error`,
	`pkg example.com/m/p, method (Server) Ready() bool`,
	`pkg example.com/m/p, type Checker interface { Check, Close, unexported methods }`,
	`pkg example.com/m/p, type Checker interface, Check(context.Context) error`,
	`pkg example.com/m/p, type Checker interface, Close() error`,
	`pkg example.com/m/p, type Duration = time.Duration`,
	`pkg example.com/m/p, type Option func(*Server) error`,
	`pkg example.com/m/p, type Server struct`,
	`pkg example.com/m/p, type Server struct, Addr string`,
	`pkg example.com/m/p, type Server struct, embedded io.Reader`,
	`pkg example.com/m/p, type Set[T comparable] map[T]struct{}`,
	`pkg example.com/m/p, var Default *Server`,
}

func TestSnapshotRecordsEveryExportedIdentifier(t *testing.T) {
	got, err := apisnapshot.Snapshot(mod)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("snapshot of %s (-want +got):\n%s", mod, diff)
	}
}

func TestCheckPassesOnTheSameSnapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api.txt")
	if err := apisnapshot.Write(path, want); err != nil {
		t.Fatal(err)
	}
	if err := apisnapshot.Check(path, want); err != nil {
		t.Errorf("Check of the snapshot it wrote: %v", err)
	}
}

// A changed API fails the check with the lines gone and added, and how to update the file.
func TestCheckFailsWithTheDifference(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api.txt")
	recorded := `pkg example.com/m/p, func Old() error
pkg example.com/m/p, type Server struct
`
	if err := os.WriteFile(path, []byte(recorded), 0o644); err != nil {
		t.Fatal(err)
	}
	err := apisnapshot.Check(path, []string{
		`pkg example.com/m/p, func New() error`,
		`pkg example.com/m/p, type Server struct`,
	})
	if err == nil {
		t.Fatal("Check accepted a changed API")
	}
	msg := err.Error()
	for _, line := range []string{
		"- pkg example.com/m/p, func Old() error",
		"+ pkg example.com/m/p, func New() error",
		"run 'make api' and commit " + path,
	} {
		if !strings.Contains(msg, line) {
			t.Errorf("Check's error %q does not say %q", msg, line)
		}
	}
	if strings.Contains(msg, "type Server struct") {
		t.Errorf("Check's error %q lists a line that did not change", msg)
	}
}

func TestCovered(t *testing.T) {
	for path, want := range map[string]bool{
		"example.com/m":                 true,
		"example.com/m/p":               true,
		"example.com/m/p/sub":           true,
		"example.com/m/internal/q":      false,
		"example.com/m/p/internal":      false,
		"example.com/m/examples/server": false,
		"example.com/m/proto/x/v1":      false,
		"example.com/mod/p":             false,
		"example.com/other":             false,
	} {
		if got := apisnapshot.Covered("example.com/m", path); got != want {
			t.Errorf("Covered(%q) = %v, want %v", path, got, want)
		}
	}
}

package docsnippets_test

import (
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/internal/docsnippets"
)

// The convention the package documents: which blocks are found, which are exempt, and how
// each kind is compiled.
func TestBlocksFollowTheConvention(t *testing.T) {
	md := strings.Join([]string{
		"# Title",                   // 1
		"",                          // 2
		"```go",                     // 3
		"x := 1",                    // 4
		"```",                       // 5
		"```sh",                     // 6
		"make test",                 // 7
		"```",                       // 8
		"*Not compiled: a sketch.*", // 9
		"",                          // 10
		"```go",                     // 11
		"f(...)",                    // 12
		"```",                       // 13
		"- a list item:",            // 14
		"  ```go",                   // 15
		"  func f() {}",             // 16
		"  ```",                     // 17
	}, "\n")
	got := docsnippets.Blocks("x.md", []byte(md))
	want := []docsnippets.Block{
		{File: "x.md", Line: 4, Code: "x := 1\n"},
		{File: "x.md", Line: 12, Code: "f(...)\n", NotCompiled: "a sketch."},
		{File: "x.md", Line: 16, Code: "func f() {}\n"},
	}
	if len(got) != len(want) {
		t.Fatalf("Blocks: got %d blocks %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("block %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, tc := range []struct {
		code string
		kind docsnippets.Kind
	}{
		{"package main\n", docsnippets.WholeFile},
		{"// A comment first.\nfunc f() {}\n", docsnippets.Declarations},
		{"type T struct{}\n", docsnippets.Declarations},
		{"import _ \"x\"\n\nconn, err := grpc.NewClient(target)\n", docsnippets.Statements},
	} {
		if got := docsnippets.KindOf(docsnippets.Block{Code: tc.code}); got != tc.kind {
			t.Errorf("KindOf(%q) = %s, want %s", tc.code, got, tc.kind)
		}
	}
}

// A fragment gets the imports of the packages it names, its leading imports, and a use of
// each variable it declares; a name neither declared, given nor listed is an error.
func TestSourceCompletesAFragment(t *testing.T) {
	b := docsnippets.Block{File: "x.md", Line: 7, Code: "import _ \"google.golang.org/grpc/health\"\n\nconn, err := grpc.NewClient(target, grpc.WithTransportCredentials(creds))\n"}
	src, err := docsnippets.Source(b, "b01", []string{"target", "creds"})
	if err != nil {
		t.Fatalf("Source: %v", err)
	}
	for _, want := range []string{
		"package b01\n",
		"\t_ \"google.golang.org/grpc/health\"\n",
		"\tgrpc \"google.golang.org/grpc\"\n",
		"//line x.md:7\n",
		"\t\t_ = conn\n\t\t_ = err\n",
		"return nil\n",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("Source lacks %q:\n%s", want, src)
		}
	}
	b.Code = "x := unheard.Of()\n"
	if _, err := docsnippets.Source(b, "b01", nil); err == nil || !strings.Contains(err.Error(), "unheard") {
		t.Errorf("Source of a block naming an unknown package: got %v, want an error naming it", err)
	}
}

package docsnippets_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/internal/docsnippets"
)

// genPath is where the blocks' packages appear, through the overlay only.
const genPath = "internal/docsnippets/gen"

// Every ```go block of README.md and docs/*.md compiles, following the package's convention,
// except the ones the Markdown visibly marks "*Not compiled:". The test logs each block it
// covers; one subtest per block, named by file and line, fails with that block's errors.
func TestEveryGoBlockCompiles(t *testing.T) {
	root := moduleRoot(t)
	given, givenNames := givenSource(t, root)
	blocks := docBlocks(t, root)

	tmp := t.TempDir()
	overlay := map[string]string{}
	var pkgs []string
	pkgOf := map[int]string{}
	for i, b := range blocks {
		if b.NotCompiled != "" {
			continue
		}
		name := fmt.Sprintf("b%02d", i)
		dir := filepath.Join(root, genPath, name)
		src, err := docsnippets.Source(b, name, givenNames)
		if err != nil {
			t.Errorf("%s:%d: %v", b.File, b.Line, err)
			continue
		}
		files := map[string][]byte{"snippet.go": src}
		if docsnippets.KindOf(b) != docsnippets.WholeFile {
			files["given.go"] = []byte(strings.Replace(given, "package given", "package "+name, 1))
			// The declarations of the page's earlier blocks are there too.
			for j, earlier := range blocks[:i] {
				if earlier.File != b.File || earlier.NotCompiled != "" || docsnippets.KindOf(earlier) != docsnippets.Declarations {
					continue
				}
				if decl, err := docsnippets.Source(earlier, name, givenNames); err == nil {
					files[fmt.Sprintf("earlier%02d.go", j)] = decl
				}
			}
		}
		for file, content := range files {
			tmpFile := filepath.Join(tmp, name+"_"+file)
			if err := os.WriteFile(tmpFile, content, 0o644); err != nil {
				t.Fatal(err)
			}
			overlay[filepath.Join(dir, file)] = tmpFile
		}
		pkg := "github.com/grpcobs/grpcobs/" + genPath + "/" + name
		pkgs = append(pkgs, pkg)
		pkgOf[i] = pkg
	}
	overlayJSON, err := json.Marshal(map[string]any{"Replace": overlay})
	if err != nil {
		t.Fatal(err)
	}
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, overlayJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{"build", "-overlay=" + overlayFile}, buildFlags...), pkgs...)
	cmd := exec.Command(goTool(t), args...)
	cmd.Dir = root
	out, buildErr := cmd.CombinedOutput()
	errorsOf := buildErrors(string(out))
	generated := map[string]bool{}
	for _, pkg := range pkgs {
		generated[pkg] = true
	}
	// A package of the module that does not compile hides whether the blocks that import
	// it do.
	var broken []string
	for pkg := range errorsOf {
		if !generated[pkg] {
			broken = append(broken, pkg)
		}
	}
	if len(broken) > 0 {
		t.Fatalf("packages the blocks import do not compile, so the blocks were not checked:\n%s", out)
	}

	for i, b := range blocks {
		t.Run(fmt.Sprintf("%s:%d", b.File, b.Line), func(t *testing.T) {
			if b.NotCompiled != "" {
				t.Logf("not compiled, as the Markdown says: %s", b.NotCompiled)
				return
			}
			pkg, ok := pkgOf[i]
			if !ok {
				t.Fatal("not built: its source could not be made (see above)")
			}
			if e := errorsOf[pkg]; e != "" {
				t.Errorf("does not compile (as %s):\n%s", docsnippets.KindOf(b), e)
				return
			}
			t.Logf("compiles (as %s)", docsnippets.KindOf(b))
		})
	}
	if buildErr != nil && len(errorsOf) == 0 {
		t.Errorf("go build: %v\n%s", buildErr, out)
	}
}

// docBlocks are the ```go blocks of README.md and docs/*.md. Their number must equal the
// number of lines opening a ```go fence, counted apart, so that no block goes unseen.
func docBlocks(t *testing.T, root string) []docsnippets.Block {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []docsnippets.Block
	for _, path := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		md, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		found := docsnippets.Blocks(filepath.ToSlash(rel), md)
		fences := 0
		for line := range strings.Lines(string(md)) {
			if strings.HasPrefix(strings.TrimSpace(line), "```go") {
				fences++
			}
		}
		if len(found) != fences {
			t.Errorf("%s: %d lines open a ```go fence, but %d blocks were found", rel, fences, len(found))
		}
		blocks = append(blocks, found...)
	}
	if len(blocks) == 0 {
		t.Fatal("no ```go block found in README.md and docs/*.md")
	}
	return blocks
}

// givenSource is testdata/given.go and the names it declares.
func givenSource(t *testing.T, root string) (string, []string) {
	t.Helper()
	path := filepath.Join(root, "internal", "docsnippets", "testdata", "given.go")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, spec := range gd.Specs {
			switch s := spec.(type) {
			case *ast.ValueSpec:
				for _, id := range s.Names {
					names = append(names, id.Name)
				}
			case *ast.TypeSpec:
				names = append(names, s.Name.Name)
			}
		}
	}
	return string(src), names
}

// buildErrors splits go build's output into each package's errors, by the "# importpath"
// line that heads them.
func buildErrors(out string) map[string]string {
	errs := map[string]string{}
	var pkg string
	for line := range strings.Lines(out) {
		if p, ok := strings.CutPrefix(line, "# "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		if pkg != "" {
			errs[pkg] += line
		}
	}
	return errs
}

// moduleRoot is the directory of the module's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	return root
}

// goTool is the go command that runs this test.
func goTool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to compile the docs' blocks: %v", err)
	}
	return path
}

package docs

import (
	"bufio"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// providersPrometheus is go-grpc-middleware's Prometheus provider, at the version that bench
// pins (bench/msghistograms_test.go compares its per-message histograms with grpcobs' on the
// same calls).
const providersPrometheus = "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"

// TestMetricsMigrationListsEveryProviderOption: the table of docs/metrics.md for
// providers/prometheus names every exported function of that package (its constructors, its
// options, FromError), each beside what grpcobs has in its place, and its heading names the
// version bench pins.
func TestMetricsMigrationListsEveryProviderOption(t *testing.T) {
	version, funcs := providerFuncs(t)
	heading, rows := providerTable(t, "metrics.md")
	if !strings.Contains(heading, "("+version+")") {
		t.Errorf("metrics.md: the heading of the providers/prometheus table does not name %s, the version bench pins: %s", version, heading)
	}
	for _, name := range funcs {
		if !slices.ContainsFunc(rows, func(row string) bool { return mentions(row, name) }) {
			t.Errorf("metrics.md: no row of the providers/prometheus table names %s (%s %s)", name, providersPrometheus, version)
		}
	}
}

// TestMentions: a row names a function when its first cell has the name as a whole word.
func TestMentions(t *testing.T) {
	row := "| `WithConstLabels(l)` (counters), `WithHistogramConstLabels(l)` / `WithContextLabels` | `WithConstLabels(l)` |"
	for name, want := range map[string]bool{
		"WithConstLabels": true, "WithHistogramConstLabels": true, "WithContextLabels": true,
		"ConstLabels": false, "WithHistogramConst": false, "WithLabels": false,
	} {
		if got := mentions(row, name); got != want {
			t.Errorf("mentions(%q) = %v, want %v", name, got, want)
		}
	}
	if mentions("| other | `WithSubsystem(s)` |", "WithSubsystem") {
		t.Error("a name in the grpcobs column counted as the provider's")
	}
}

// mentions tells whether the first cell of a table row names the function name.
func mentions(row, name string) bool {
	cells := strings.Split(strings.Trim(strings.TrimSpace(row), "|"), "|")
	for rest := cells[0]; ; {
		i := strings.Index(rest, name)
		if i < 0 {
			return false
		}
		end := i + len(name)
		if (i == 0 || !isIdent(rest[i-1])) && (end == len(rest) || !isIdent(rest[end])) {
			return true
		}
		rest = rest[end:]
	}
}

func isIdent(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// providerFuncs returns the version of providers/prometheus that bench pins and the names of
// the package's exported functions (not methods), from its source in the module cache.
func providerFuncs(t *testing.T) (string, []string) {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", providersPrometheus)
	cmd.Dir = filepath.Join("..", "bench")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download %s in bench: %v", providersPrometheus, err)
	}
	var mod struct{ Version, Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		t.Fatalf("go mod download -json: %v, %s", err, out)
	}
	entries, err := os.ReadDir(mod.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var funcs []string
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(mod.Dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.IsExported() {
				funcs = append(funcs, fn.Name.Name)
			}
		}
	}
	// A floor, so that a change of layout cannot pass with nothing found: v1.1.1 has 21.
	if len(funcs) < 15 {
		t.Fatalf("%s %s: found only %d exported functions: %v", providersPrometheus, mod.Version, len(funcs), funcs)
	}
	slices.Sort(funcs)
	return mod.Version, funcs
}

// providerTable returns the heading line of the providers/prometheus table in a Markdown file
// of docs/ and the table's body rows.
func providerTable(t *testing.T, path string) (string, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var heading string
	var rows []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		switch {
		case heading == "":
			if strings.HasPrefix(line, "From **go-grpc-middleware `providers/prometheus`**") {
				heading = line
			}
		case strings.HasPrefix(line, "|"):
			rows = append(rows, line)
		case len(rows) > 0:
			if len(rows) < 3 {
				t.Fatalf("%s: the providers/prometheus table has %d lines", path, len(rows))
			}
			return heading, rows[2:] // after the header and the delimiter row
		}
	}
	t.Fatalf("%s: no providers/prometheus table (a line starting \"From **go-grpc-middleware `providers/prometheus`**\", then a table)", path)
	return "", nil
}

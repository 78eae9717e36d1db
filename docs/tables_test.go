package docs

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// delimiterRow is a table's second line: | --- | :-: | ...
var delimiterRow = regexp.MustCompile(`^\|(\s*:?-+:?\s*\|)+\s*$`)

// cells counts the cells of a table row: its unescaped pipes, less one.
func cells(row string) int {
	return strings.Count(strings.ReplaceAll(strings.TrimSpace(row), `\|`, ""), "|") - 1
}

// tableProblems lists the lines of a Markdown document that a renderer would not show as
// table rows although they look like ones: a row cut off from its table (by a paragraph, a
// blank line), a table without its delimiter row, a row with another number of cells than
// its header. Fenced code blocks are skipped.
func tableProblems(lines []string) []string {
	var problems []string
	report := func(i int, what string) {
		problems = append(problems, fmt.Sprintf("line %d %s: %s", i+1, what, lines[i]))
	}
	fenced := false
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if fenced || !strings.HasPrefix(line, "|") {
			continue
		}
		// A table starts here: a header, a delimiter row, then rows until a line that is not one.
		if i+1 >= len(lines) || !delimiterRow.MatchString(strings.TrimSpace(lines[i+1])) {
			report(i, "a table row outside a table (a table needs a header and a delimiter row, with no text or blank line between its rows)")
			continue
		}
		width := cells(line)
		if got := cells(lines[i+1]); got != width {
			report(i+1, "a delimiter row of another width than the header")
		}
		i += 2
		for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|"); i++ {
			if got := cells(lines[i]); got != width {
				report(i, fmt.Sprintf("a row of %d cells under a header of %d", got, width))
			}
		}
		i-- // the loop's i++ moves on to the line after the table
	}
	return problems
}

// TestMarkdownTablesRender: in every Markdown file of docs/ and in the README, every line
// that starts like a table row is a row of a well-formed table.
func TestMarkdownTablesRender(t *testing.T) {
	files, err := filepath.Glob("*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Markdown files (err %v)", err)
	}
	files = append(files, "../README.md")
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		s := bufio.NewScanner(f)
		s.Buffer(nil, 1<<20)
		for s.Scan() {
			lines = append(lines, s.Text())
		}
		f.Close()
		if err := s.Err(); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, p := range tableProblems(lines) {
			t.Errorf("%s: %s", path, p)
		}
	}
}

// TestTableProblemsFindsBrokenTables: the checker itself finds a table split by a paragraph,
// a missing delimiter row and a short row, and accepts good tables and fenced pipes.
func TestTableProblemsFindsBrokenTables(t *testing.T) {
	good := []string{"| a | b |", "|---|:-:|", "| 1 | `x \\| y` |", "", "```", "| not a table", "```", "text"}
	if p := tableProblems(good); len(p) != 0 {
		t.Errorf("good document: %v", p)
	}
	split := []string{"| a | b |", "|---|---|", "| 1 | 2 |", "", "A paragraph.", "| 3 | 4 |"}
	if p := tableProblems(split); len(p) != 1 || !strings.Contains(p[0], "line 6") {
		t.Errorf("table split by a paragraph: %v, want line 6", p)
	}
	noDelimiter := []string{"| a | b |", "| 1 | 2 |"}
	if p := tableProblems(noDelimiter); len(p) == 0 {
		t.Error("a table without a delimiter row passed")
	}
	short := []string{"| a | b |", "|---|---|", "| 1 |"}
	if p := tableProblems(short); len(p) != 1 || !strings.Contains(p[0], "1 cells under a header of 2") {
		t.Errorf("short row: %v", p)
	}
}

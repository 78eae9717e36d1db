package main

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSpliceReplacesOnlyTheSection(t *testing.T) {
	doc := "# Title\n<!-- table:begin -->\nold\nlines\n<!-- table:end -->\nafter\n"
	got, err := splice([]byte(doc), "table", []byte("new"))
	if err != nil {
		t.Fatalf("splice: %v", err)
	}
	want := "# Title\n<!-- table:begin -->\nnew\n<!-- table:end -->\nafter\n"
	if string(got) != want {
		t.Errorf("splice:\n%s\nwant:\n%s", got, want)
	}
}

func TestSpliceNeedsBothMarkers(t *testing.T) {
	for _, doc := range []string{"no markers\n", "<!-- table:begin -->\nno end\n", "<!-- other:begin -->\n<!-- other:end -->\n"} {
		if _, err := splice([]byte(doc), "table", []byte("x")); err == nil {
			t.Errorf("splice(%q): nil error, want one", doc)
		}
	}
}

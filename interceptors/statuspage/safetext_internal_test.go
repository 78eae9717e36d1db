package statuspage

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// What a caller sends becomes valid UTF-8 of bounded length, cut at a rune boundary.
func TestSafeText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 10, "plain"},
		{"a\xffb\xfe\xfdc", 10, "a\uFFFDb\uFFFDc"},
		{strings.Repeat("x", 20), 8, "xxxxxxxx…"},
		{"ab€€", 4, "ab…"}, // € is 3 bytes: the cut does not split it
	} {
		got := safeText(tc.in, tc.max)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("safeText(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

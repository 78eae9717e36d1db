package safetext_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/grpcobs/grpcobs/interceptors/internal/safetext"
)

// What a caller sends becomes valid UTF-8 of bounded length, cut at a rune boundary and marked.
func TestCut(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
		fits bool
	}{
		{"plain", 10, "plain", true},
		{"", 0, "", true},
		{"a\xffb\xfe\xfdc", 10, "a\uFFFDb\uFFFDc", false},
		{strings.Repeat("x", 20), 8, "xxxxxxxx…", false},
		{"ab€€", 4, "ab…", false},                // € is 3 bytes: the cut does not split it
		{"\xff\xff\xffabc", 3, "\uFFFD…", false}, // the replacement counts: 3 bytes
		{"€", 2, "…", false},                     // no whole rune fits
	} {
		got := safetext.Cut(tc.in, tc.max)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("Cut(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
		if fits := safetext.Fits(tc.in, tc.max); fits != tc.fits {
			t.Errorf("Fits(%q, %d) = %v, want %v", tc.in, tc.max, fits, tc.fits)
		}
		if kept := strings.TrimSuffix(got, safetext.Marker); len(kept) > tc.max {
			t.Errorf("Cut(%q, %d) kept %d bytes", tc.in, tc.max, len(kept))
		}
	}
}

// A status message that a client made 256 KB long, with invalid bytes, is cut to the bound.
func TestCutBoundsAHugeMessage(t *testing.T) {
	huge := strings.Repeat("é\xff", 128<<10) // 256 KB of input, every other rune invalid
	got := safetext.Cut(huge, safetext.MaxMessageBytes)
	kept, marked := strings.CutSuffix(got, safetext.Marker)
	if !marked || len(kept) > safetext.MaxMessageBytes || len(kept) < safetext.MaxMessageBytes-utf8.UTFMax || !utf8.ValidString(got) {
		t.Errorf("Cut(256 KB) = %d bytes ending %q, want valid UTF-8, %d bytes at most, then %q",
			len(got), got[max(0, len(got)-8):], safetext.MaxMessageBytes, safetext.Marker)
	}
	if !strings.HasPrefix(got, "é\uFFFDé\uFFFD") {
		t.Errorf("Cut(256 KB) starts %q, want the message's start, invalid bytes replaced", got[:12])
	}
}

package safetext

import (
	"strings"
	"unicode/utf8"
)

// MaxMessageBytes is the most of a status message or an error's text that grpcobs keeps, in
// bytes, before the Marker: the status page's failed calls and a log line's error field.
const MaxMessageBytes = 512

// Marker ends a text that Cut shortened.
const Marker = "…"

// Cut returns s as valid UTF-8 (each run of invalid bytes becomes U+FFFD), cut to at most max
// bytes at a rune boundary and then ended with Marker. The result never shares memory with a
// longer s, so keeping it does not keep the caller's text.
func Cut(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return strings.Clone(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + Marker
}

// Fits reports whether Cut would return s unchanged: s is valid UTF-8 of at most max bytes.
func Fits(s string, max int) bool { return len(s) <= max && utf8.ValidString(s) }

package logging

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCredentialNamedBaggageKeysAreRefused(t *testing.T) {
	got := appendBaggageKeys(nil, []string{"user", "Authorization", "session.id", "cookie", "grpc-x", "tenant"})
	want := []string{"user", "tenant"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("baggage allowlist = %v, want %v", got, want)
	}
}

func TestBoundedValue(t *testing.T) {
	if got := boundedValue("short"); got != "short" {
		t.Errorf("boundedValue(short) = %q", got)
	}
	long := strings.Repeat("é", 1000) // 2 bytes each: a cut at 256 bytes may land mid-rune
	got := boundedValue("x" + long)
	if !strings.HasSuffix(got, truncatedMarker) || !utf8.ValidString(got) {
		t.Errorf("boundedValue(long) = %.40q…, want valid UTF-8 ending in %q", got, truncatedMarker)
	}
	if n := len(strings.TrimSuffix(got, truncatedMarker)); n > maxMetadataValueBytes {
		t.Errorf("kept %d bytes, want at most %d", n, maxMetadataValueBytes)
	}
}

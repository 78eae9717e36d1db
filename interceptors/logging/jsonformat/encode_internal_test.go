package jsonformat

import (
	"math/rand/v2"
	"testing"
)

// plainBytes is plainWord's meaning, byte by byte.
func plainBytes(x uint64) bool {
	for i := range 8 {
		if !plainASCII[byte(x>>(8*i))] {
			return false
		}
	}
	return true
}

func TestPlainWordAgreesWithPlainASCII(t *testing.T) {
	const filler = 0x6161616161616161 // "aaaaaaaa"
	for v := range 256 {
		for pos := range 8 {
			x := filler&^(0xff<<(8*pos)) | uint64(v)<<(8*pos)
			if got, want := plainWord(x), plainASCII[v]; got != want {
				t.Errorf("plainWord with byte %#x at %d = %v, want %v", v, pos, got, want)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		x := r.Uint64()
		if r.IntN(2) == 0 {
			x &= 0x7f7f7f7f7f7f7f7f // mostly ASCII
		}
		if got, want := plainWord(x), plainBytes(x); got != want {
			t.Fatalf("plainWord(%#016x) = %v, want %v", x, got, want)
		}
	}
}

package jsonformat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// plainASCII marks the bytes a JSON string holds as they are: printable ASCII, neither a
// quote nor a backslash.
var plainASCII = func() (t [256]bool) {
	for c := ' '; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString writes s as a JSON string (see appendStringBody).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendStringBody(b, s)
	return append(b, '"')
}

// appendStringBody writes s escaped for the inside of a JSON string: the result is valid UTF-8
// holding no control character (C0, DEL or C1), no line or paragraph separator, and no
// unescaped quote or backslash. Invalid UTF-8 becomes \ufffd, one per invalid byte.
func appendStringBody(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainWord(uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56) {
			i += 8
			continue
		}
		c := s[i]
		if plainASCII[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r <= 0x9f || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = appendRuneEscape(b, r)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// plainWord reports whether the eight bytes packed in x are all plain ASCII (see plainASCII),
// testing them at once: none is below 0x20, a quote, a backslash, DEL, or above 0x7f.
func plainWord(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	below := (x - ones*0x20) & ^x & highs
	return (below | hasZero(x^(ones*'"')) | hasZero(x^(ones*'\\')) | hasZero(x^(ones*0x7f)) | x&highs) == 0
}

// appendRuneEscape writes r, a rune of the Basic Multilingual Plane, as \uXXXX.
func appendRuneEscape(b []byte, r rune) []byte {
	return append(b, '\\', 'u',
		hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// appendValue writes v as a JSON value, the way logrus.JSONFormatter would (an error as its
// message, everything else as encoding/json marshals it), with fast paths for the common types
// and a string in place of anything that cannot be marshalled.
func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, v)
	case error:
		return appendString(b, errorMessage(v))
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int8:
		return strconv.AppendInt(b, int64(v), 10)
	case int16:
		return strconv.AppendInt(b, int64(v), 10)
	case int32:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case uint:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint8:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint64:
		return strconv.AppendUint(b, v, 10)
	case float32:
		return appendFloat(b, float64(v), 32)
	case float64:
		return appendFloat(b, v, 64)
	case time.Duration:
		return strconv.AppendInt(b, int64(v), 10)
	case time.Time:
		return appendTime(b, v, time.RFC3339Nano)
	default:
		return appendMarshaled(b, v)
	}
}

// errorMessage is err.Error(), or what fmt prints for err when Error panics (a nil pointer
// receiver, typically).
func errorMessage(err error) (msg string) {
	defer func() {
		if recover() != nil {
			msg = fmt.Sprint(err)
		}
	}()
	return err.Error()
}

// appendFloat writes f as encoding/json does, except that NaN and ±Inf, which JSON has no
// number for, become the strings "NaN", "+Inf" and "-Inf".
func appendFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"+Inf"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Inf"`...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
			bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// Shorten e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// scratchPool holds the buffers values are marshalled into before they are copied to the line,
// so that a value that fails halfway leaves nothing behind.
var scratchPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledScratch keeps an occasional huge value from pinning its buffer in the pool.
const maxPooledScratch = 64 << 10

// appendMarshaled writes v as encoding/json marshals it, without HTML escaping. A value that
// cannot be marshalled, or whose MarshalJSON panics, is written as a string saying so.
func appendMarshaled(b []byte, v any) (out []byte) {
	scratch := scratchPool.Get().(*bytes.Buffer)
	scratch.Reset()
	defer func() {
		if r := recover(); r != nil {
			out = appendString(b, fmt.Sprintf("!PANIC(%T): %v", v, r))
		}
		if scratch.Cap() <= maxPooledScratch {
			scratchPool.Put(scratch)
		}
	}()
	enc := json.NewEncoder(scratch)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return appendString(b, fmt.Sprintf("!ERROR(%T): %v", v, err))
	}
	return appendCleanJSON(b, bytes.TrimSuffix(scratch.Bytes(), []byte{'\n'}))
}

// appendCleanJSON copies js, the output of encoding/json, which is valid JSON but may hold, in
// strings, a raw DEL, and, in strings a MarshalJSON method wrote, invalid UTF-8 or raw C1
// controls. Such bytes can only be inside strings, where they are replaced by escapes, as
// appendStringBody would write them.
func appendCleanJSON(b []byte, js []byte) []byte {
	start := 0
	for i := 0; i < len(js); {
		if js[i] == 0x7f {
			b = append(b, js[start:i]...)
			b = append(b, `\u007f`...)
			i++
			start = i
			continue
		}
		if js[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(js[i:])
		if (r == utf8.RuneError && size == 1) || r <= 0x9f {
			b = append(b, js[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = appendRuneEscape(b, r)
			}
			start = i + size
		}
		i += size
	}
	return append(b, js[start:]...)
}

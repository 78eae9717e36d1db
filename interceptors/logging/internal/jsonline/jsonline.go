// Package jsonline lets the logging package write a call's line with jsonformat's encoder,
// from fields it already holds in key order, without a logrus entry, a map or a sort.
// jsonformat sets Writes and Append when it is linked in; until then no formatter is written
// for.
package jsonline

import (
	"time"

	"github.com/sirupsen/logrus"
)

// Field is one field of a line. A float (IsFloat) is in Float, unboxed; anything else in Value.
type Field struct {
	Key     string
	Value   any
	Float   float64
	IsFloat bool
}

// Writes reports whether formatter is one Append writes lines for. Set by jsonformat's init.
var Writes = func(formatter logrus.Formatter) bool { return false }

// Append appends to b the line formatter would write for an entry at time t, with level, msg
// and the fields (sorted by key, none repeated), and no caller. It reports false, having
// appended nothing, when formatter is not a jsonformat.Formatter or would write other bytes
// (a field whose key its FieldMap makes clash). Set by jsonformat's init.
var Append = func(formatter logrus.Formatter, b []byte, t time.Time, level logrus.Level, msg string, fields []Field) ([]byte, bool) {
	return b, false
}

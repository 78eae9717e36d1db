package jsonformat

import (
	"time"

	"github.com/grpcobs/grpcobs/interceptors/logging/internal/jsonline"
	"github.com/sirupsen/logrus"
)

func init() {
	jsonline.Writes = func(formatter logrus.Formatter) bool {
		f, ok := formatter.(*Formatter)
		return ok && f != nil
	}
	jsonline.Append = appendLine
}

// appendLine writes what Format writes for an entry without a caller whose fields are given
// in key order (see jsonline.Append): the same head, then the fields as they come, with no map
// and no sort. It refuses any formatter but a *Formatter, and any field that clashes with a key
// the formatter writes itself, which Format would rename.
func appendLine(formatter logrus.Formatter, b []byte, t time.Time, level logrus.Level, msg string, fields []jsonline.Field) ([]byte, bool) {
	f, ok := formatter.(*Formatter)
	if !ok || f == nil {
		return b, false
	}
	k := f.keys()
	for i := range fields {
		if k.clashes(fields[i].Key, false) {
			return b, false
		}
	}
	b = f.appendHead(b, &k, t, level, msg)
	for i := range fields {
		fl := &fields[i]
		b = append(b, ',')
		b = appendKey(b, fl.Key)
		if fl.IsFloat {
			b = appendFloat(b, fl.Float, 64)
		} else {
			b = appendValue(b, fl.Value)
		}
	}
	return append(b, '}', '\n'), true
}

package jsonformat_test

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/sirupsen/logrus"
)

// FuzzJSONFormatter checks, for arbitrary messages, keys and values, that every line is one
// valid single-line JSON object, and that it decodes to what logrus.JSONFormatter's line
// decodes to (or, for NaN and ±Inf, which logrus.JSONFormatter cannot write, to their names).
// Its seed corpus is in testdata/fuzz/FuzzJSONFormatter; run it with
//
//	go test -run '^$' -fuzz FuzzJSONFormatter ./interceptors/logging/jsonformat
func FuzzJSONFormatter(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s, s, s, []byte(s), 1.5)
	}
	f.Add("msg", "msg", "v", []byte{}, math.Inf(-1))
	f.Add("m", "fields.level", "v", []byte{0xff}, math.NaN())
	f.Fuzz(func(t *testing.T, msg, key, value string, raw []byte, num float64) {
		data := logrus.Fields{
			key:      value,
			"raw":    raw,
			"num":    num,
			"err":    errorString(value),
			"nested": map[string][]string{key: {value, msg}},
		}
		ours := checkOneLine(t, format(t, &jsonformat.Formatter{DisableTimestamp: true}, msg, data))

		var nonFinite string
		switch {
		case math.IsNaN(num):
			nonFinite = "NaN"
		case math.IsInf(num, 1):
			nonFinite = "+Inf"
		case math.IsInf(num, -1):
			nonFinite = "-Inf"
		}
		if nonFinite != "" {
			data["num"] = nonFinite
		}
		stock := decodeLine(t, format(t, &logrus.JSONFormatter{DisableTimestamp: true, DisableHTMLEscape: true}, msg, data))
		if diff := cmp.Diff(stock, ours); diff != "" {
			t.Errorf("decoded line differs from logrus.JSONFormatter's (-stock +ours):\n%s", diff)
		}
	})
}

type errorString string

func (e errorString) Error() string { return string(e) }

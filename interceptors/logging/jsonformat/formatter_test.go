package jsonformat_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/sirupsen/logrus"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testTime = time.Date(2026, 3, 4, 5, 6, 7, 890123456, time.UTC)

// format formats an entry with the given fields, message and level through f, using a logrus
// pooled-style buffer as logrus does.
func format(t *testing.T, f logrus.Formatter, msg string, data logrus.Fields) string {
	t.Helper()
	entry := &logrus.Entry{
		Logger:  logrus.New(),
		Data:    data,
		Time:    testTime,
		Level:   logrus.WarnLevel,
		Message: msg,
		Buffer:  new(bytes.Buffer),
	}
	out, err := f.Format(entry)
	if err != nil {
		t.Fatalf("Format: %v", err)
	}
	return string(out)
}

// checkOneLine fails unless line is one valid, UTF-8, single-line JSON object with no control
// character, no C1 control and no raw line or paragraph separator.
func checkOneLine(t *testing.T, line string) map[string]any {
	t.Helper()
	body, ok := strings.CutSuffix(line, "\n")
	if !ok {
		t.Fatalf("line %q does not end with a newline", line)
	}
	if !utf8.ValidString(body) {
		t.Errorf("line %q is not valid UTF-8", body)
	}
	for _, r := range body {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029' {
			t.Errorf("line %q holds the raw character %U", body, r)
		}
	}
	return decodeLine(t, body)
}

// decodeLine decodes a line of JSON holding one object.
func decodeLine(t *testing.T, body string) map[string]any {
	t.Helper()
	if !json.Valid([]byte(body)) {
		t.Fatalf("line is not valid JSON: %s", body)
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(body), &obj); err != nil {
		t.Fatalf("line is not a JSON object: %v: %s", err, body)
	}
	return obj
}

type marshalsBadUTF8 struct{}

func (marshalsBadUTF8) MarshalJSON() ([]byte, error) {
	return []byte("\"a\xffb\u0085c\""), nil
}

type marshalFails struct{}

func (marshalFails) MarshalJSON() ([]byte, error) { return nil, errors.New("no way") }

type marshalPanics struct{}

func (marshalPanics) MarshalJSON() ([]byte, error) { panic("boom") }

type pointerError struct{ msg string }

func (e *pointerError) Error() string { return e.msg }

type label string

func TestFormatWritesValuesAsLogrusJSONFormatterDoes(t *testing.T) {
	data := logrus.Fields{
		"string":   "text <b>&</b>",
		"int":      -42,
		"int8":     int8(-8),
		"uint64":   uint64(math.MaxUint64),
		"float32":  float32(0.1),
		"float64":  1.5e-7,
		"big":      1e21,
		"bool":     true,
		"nil":      nil,
		"error":    errors.New("it failed"),
		"time":     testTime,
		"duration": 1500 * time.Millisecond,
		"bytes":    []byte("raw"),
		"raw":      json.RawMessage(`{"nested": [1, 2]}`),
		"label":    label("named string"),
		"slice":    []string{"a", "b"},
		"map":      map[string]int{"x": 1},
		"struct":   struct{ A int }{A: 7},
		"pointer":  &struct{ B string }{B: "p"},
	}
	stock := &logrus.JSONFormatter{TimestampFormat: time.RFC3339Nano, DisableHTMLEscape: true}
	want := decodeLine(t, format(t, stock, "hello", data))
	got := checkOneLine(t, format(t, &jsonformat.Formatter{}, "hello", data))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded line differs from logrus.JSONFormatter's (-stock +ours):\n%s", diff)
	}
}

func TestFormatWritesFixedKeysFirstThenSortedFields(t *testing.T) {
	got := format(t, &jsonformat.Formatter{}, "done", logrus.Fields{"b": 2, "a": "x", "c": 1.25})
	want := `{"time":"2026-03-04T05:06:07.890123456Z","level":"warning","msg":"done","a":"x","b":2,"c":1.25}` + "\n"
	if got != want {
		t.Errorf("Format =\n%s\nwant\n%s", got, want)
	}
}

func TestFormatSortsManyFields(t *testing.T) {
	data := logrus.Fields{}
	var want strings.Builder
	want.WriteString(`{"level":"warning","msg":"m"`)
	for i := range 40 {
		fmt.Fprintf(&want, `,"k%02d":%d`, i, i)
		data[fmt.Sprintf("k%02d", i)] = i
	}
	want.WriteString("}\n")
	if got := format(t, &jsonformat.Formatter{DisableTimestamp: true}, "m", data); got != want.String() {
		t.Errorf("Format =\n%s\nwant\n%s", got, want.String())
	}
}

func TestFormatRenamesClashingFieldsWithoutRepeatingAKey(t *testing.T) {
	data := logrus.Fields{"msg": "field msg", "fields.msg": "dropped", "level": 3, "time": "t", "func": "f"}
	got := format(t, &jsonformat.Formatter{DisableTimestamp: true}, "message", data)
	want := `{"level":"warning","msg":"message","fields.level":3,"fields.msg":"field msg","fields.time":"t","func":"f"}` + "\n"
	if got != want {
		t.Errorf("Format =\n%s\nwant\n%s", got, want)
	}
	stock := decodeLine(t, format(t, &logrus.JSONFormatter{DisableTimestamp: true}, "message", data))
	if diff := cmp.Diff(stock, checkOneLine(t, got)); diff != "" {
		t.Errorf("decoded line differs from logrus.JSONFormatter's (-stock +ours):\n%s", diff)
	}
}

func TestFormatAppliesFieldMapAndCaller(t *testing.T) {
	f := &jsonformat.Formatter{
		TimestampFormat: time.DateOnly,
		FieldMap: logrus.FieldMap{
			logrus.FieldKeyTime:  "@timestamp",
			logrus.FieldKeyLevel: "severity",
			logrus.FieldKeyMsg:   "message",
			logrus.FieldKeyFunc:  "caller",
		},
	}
	entry := &logrus.Entry{
		Logger: logrus.New(), Time: testTime, Level: logrus.InfoLevel, Message: "m",
		Data:   logrus.Fields{"message": "clash", "file": "clash too"},
		Caller: &runtime.Frame{Function: "pkg.F", File: "/src/f.go", Line: 12},
	}
	out, err := f.Format(entry)
	if err != nil {
		t.Fatalf("Format: %v", err)
	}
	want := `{"@timestamp":"2026-03-04","severity":"info","message":"m","caller":"pkg.F","file":"/src/f.go:12","fields.file":"clash too","fields.message":"clash"}` + "\n"
	if string(out) != want {
		t.Errorf("Format =\n%s\nwant\n%s", out, want)
	}

	f.CallerPrettyfier = func(*runtime.Frame) (string, string) { return "", "f.go" }
	out, err = f.Format(entry)
	if err != nil {
		t.Fatalf("Format: %v", err)
	}
	want = `{"@timestamp":"2026-03-04","severity":"info","message":"m","file":"f.go","fields.file":"clash too","fields.message":"clash"}` + "\n"
	if string(out) != want {
		t.Errorf("Format with CallerPrettyfier =\n%s\nwant\n%s", out, want)
	}
}

// hostileStrings are strings that would break a naive JSON writer or forge a second line.
var hostileStrings = []string{
	`quote " and backslash \`,
	"new\nline\r\nand tab\t",
	"{\"level\":\"error\",\"msg\":\"forged\"}\n{\"msg\":\"second\"}",
	"NUL \x00, bell \x07, backspace \b, form feed \f, escape \x1b[31mred\x1b[0m, DEL \x7f",
	"C1 controls: NEL \u0085, CSI \u009b31m",
	"separators \u2028 and \u2029",
	"invalid UTF-8: \xff\xfe, truncated \xe2\x82, surrogate \xed\xa0\x80, overlong \xc0\xaf",
	"valid: é, 日本, 🙂, U+FFFD \ufffd",
	"",
}

func TestFormatEscapesHostileStringsInKeysValuesAndMessage(t *testing.T) {
	for _, s := range hostileStrings {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			line := format(t, &jsonformat.Formatter{DisableTimestamp: true}, s, logrus.Fields{
				"value":    s,
				"key " + s: "k",
				"error":    errors.New(s),
			})
			obj := checkOneLine(t, line)
			want := decodeAsEncodingJSON(t, s)
			wantObj := map[string]any{
				"level":       "warning",
				"msg":         want,
				"value":       want,
				"error":       want,
				"key " + want: "k",
			}
			if diff := cmp.Diff(wantObj, obj); diff != "" {
				t.Errorf("decoded line (-want +got):\n%s\nline: %s", diff, line)
			}
		})
	}
}

// decodeAsEncodingJSON is what a reader gets back from s written by encoding/json: s with each
// invalid byte replaced by U+FFFD.
func decodeAsEncodingJSON(t *testing.T, s string) string {
	t.Helper()
	js, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("json.Marshal(%q): %v", s, err)
	}
	var back string
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	return back
}

func TestFormatEscapesExactly(t *testing.T) {
	got := format(t, &jsonformat.Formatter{DisableTimestamp: true}, "x", logrus.Fields{
		"s": "\"\\\n\r\t\b\f\x00\x1b\x7f\u0085\u2028\u2029\xff<&>é",
	})
	want := `{"level":"warning","msg":"x","s":"\"\\\n\r\t\b\f\u0000\u001b\u007f\u0085\u2028\u2029\ufffd<&>é"}` + "\n"
	if got != want {
		t.Errorf("Format =\n%s\nwant\n%s", got, want)
	}
}

func TestFormatWritesNonFiniteFloatsAsStrings(t *testing.T) {
	got := format(t, &jsonformat.Formatter{DisableTimestamp: true}, "x", logrus.Fields{
		"nan": math.NaN(), "pos": math.Inf(1), "neg": float32(math.Inf(-1)), "tiny": 1e-9, "zero": 0.0,
	})
	want := `{"level":"warning","msg":"x","nan":"NaN","neg":"-Inf","pos":"+Inf","tiny":1e-9,"zero":0}` + "\n"
	if got != want {
		t.Errorf("Format =\n%s\nwant\n%s", got, want)
	}
}

func TestFormatNeverDropsALineForABadValue(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	var nilError *pointerError
	got := format(t, &jsonformat.Formatter{DisableTimestamp: true}, "x", logrus.Fields{
		"chan":     make(chan int),
		"func":     func() {},
		"cyclic":   cyclic,
		"fails":    marshalFails{},
		"panics":   marshalPanics{},
		"bad_utf8": marshalsBadUTF8{},
		"nil_err":  nilError,
		"nan_in":   []float64{math.NaN()},
		"nested":   map[string]any{"k\x7f\u0085\xff": []string{"v\x7f\u0085\xff\n"}},
	})
	obj := checkOneLine(t, got)
	want := map[string]any{
		"level":    "warning",
		"msg":      "x",
		"bad_utf8": "a\ufffdb\u0085c",
		"chan":     "!ERROR(chan int): json: unsupported type: chan int",
		"cyclic":   "!ERROR(map[string]interface {}): json: unsupported value: encountered a cycle via map[string]interface {}",
		"fails":    "!ERROR(jsonformat_test.marshalFails): json: error calling MarshalJSON for type jsonformat_test.marshalFails: no way",
		"func":     "!ERROR(func()): json: unsupported type: func()",
		"nan_in":   "!ERROR([]float64): json: unsupported value: NaN",
		"nested":   map[string]any{"k\x7f\u0085\ufffd": []any{"v\x7f\u0085\ufffd\n"}},
		"nil_err":  "<nil>",
		"panics":   "!PANIC(jsonformat_test.marshalPanics): boom",
	}
	if diff := cmp.Diff(want, obj); diff != "" {
		t.Errorf("decoded line (-want +got):\n%s\nline: %s", diff, got)
	}
}

func TestFormatWithoutAnEntryBuffer(t *testing.T) {
	entry := &logrus.Entry{Logger: logrus.New(), Level: logrus.InfoLevel, Message: "no buffer", Data: logrus.Fields{"a": 1}}
	out, err := (&jsonformat.Formatter{DisableTimestamp: true}).Format(entry)
	if err != nil {
		t.Fatalf("Format: %v", err)
	}
	if want := `{"level":"info","msg":"no buffer","a":1}` + "\n"; string(out) != want {
		t.Errorf("Format = %s, want %s", out, want)
	}
}

func TestFormatEscapesAHostileTimestampLayout(t *testing.T) {
	got := format(t, &jsonformat.Formatter{TimestampFormat: "2006\"\n"}, "x", nil)
	if want := `{"time":"2026\"\n","level":"warning","msg":"x"}` + "\n"; got != want {
		t.Errorf("Format = %s, want %s", got, want)
	}
}

func TestFormatterServesConcurrentLogging(t *testing.T) {
	var out syncBuffer
	logger := logrus.New()
	logger.SetOutput(&out)
	logger.SetFormatter(&jsonformat.Formatter{})
	const goroutines, lines = 8, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				logger.WithFields(logrus.Fields{"g": g, "i": i, "s": hostileStrings[i%len(hostileStrings)]}).Info("line")
			}
		}()
	}
	wg.Wait()
	all := strings.SplitAfter(out.String(), "\n")
	all = all[:len(all)-1] // after the final newline
	if len(all) != goroutines*lines {
		t.Fatalf("got %d lines, want %d", len(all), goroutines*lines)
	}
	seen := map[[2]float64]bool{}
	for _, line := range all {
		obj := checkOneLine(t, line)
		seen[[2]float64{obj["g"].(float64), obj["i"].(float64)}] = true
	}
	if len(seen) != goroutines*lines {
		t.Errorf("got %d distinct lines, want %d", len(seen), goroutines*lines)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
)

// logrusWrite is the logrus path as it was before the direct one: the line's fields in the
// entry's map, then Entry.Log. The direct path must write what this writes.
func logrusWrite(c *call, level logrus.Level, msg string, ln *line) {
	entry := &logrus.Entry{Logger: c.log.logger, Data: logrus.Fields{}, Context: c.ctx()}
	maps.Copy(entry.Data, c.log.baseFields)
	maps.Copy(entry.Data, c.addedFields())
	c.fields(logrusFields(entry.Data), ln)
	entry.Log(level, msg)
}

// The flags of FuzzDirectLine's configurations, one bit each.
const (
	flagClient = 1 << iota
	flagFinished
	flagError
	flagPanic
	flagDeadline
	flagSpan
	flagMWFields
	flagStartLine
	flagNoTimestamp
	flagFieldMapClash // msg renamed to a key of the call's lines
	flagFieldMapOther // level renamed to a key no line has
	flagHook
	flagReportCaller
	flagBaseFields
	flagAddFields
	flagBaggage
	flagAttempts
	flagPayload
	flagNoLock
)

// attempts is a client call's record of attempts, for FieldAttempts.
type attempts struct{ failed []codes.Code }

func (a attempts) Attempts() (int, []codes.Code) { return len(a.failed) + 1, a.failed }

// hookRecord records what a hook sees of each line, formatted.
type hookRecord struct{ lines []string }

func (h *hookRecord) Levels() []logrus.Level { return logrus.AllLevels }
func (h *hookRecord) Fire(e *logrus.Entry) error {
	b, _ := e.Logger.Formatter.Format(e)
	h.lines = append(h.lines, string(b))
	return nil
}

// directSide builds, for one configuration, a logger writing to out and a call on it.
func directSide(flags uint32, level logrus.Level, service, method, text string, num float64, out *bytes.Buffer, hook *hookRecord) (*call, *line) {
	logger := logrus.New()
	logger.SetOutput(out)
	logger.SetLevel(logrus.TraceLevel)
	f := &jsonformat.Formatter{TimestampFormat: "stamp"} // a layout without a directive: no clock
	f.DisableTimestamp = flags&flagNoTimestamp != 0
	f.FieldMap = logrus.FieldMap{}
	if flags&flagFieldMapClash != 0 {
		f.FieldMap[logrus.FieldKeyMsg] = FieldMethod
	}
	if flags&flagFieldMapOther != 0 {
		f.FieldMap[logrus.FieldKeyLevel] = "severity"
	}
	// Caller frames differ between the two paths' callers: say only whether there is one.
	f.CallerPrettyfier = func(*runtime.Frame) (string, string) { return "caller", "" }
	logger.SetFormatter(f)
	if flags&flagHook != 0 {
		logger.AddHook(hook)
	}
	logger.SetReportCaller(flags&flagReportCaller != 0)
	if flags&flagNoLock != 0 {
		logger.SetNoLock()
	}
	var as logrus.FieldLogger = logger
	if flags&flagBaseFields != 0 {
		as = logger.WithField("base", text)
	}
	var opts []Option
	if flags&flagMWFields != 0 {
		opts = append(opts, WithGoGRPCMiddlewareFields())
	}
	if flags&flagBaggage != 0 {
		opts = append(opts, WithBaggageFields("tenant"))
	}
	l := newCallLogger(as, flags&flagClient != 0, opts)

	ctx := context.Background()
	if flags&flagDeadline != 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Unix(1700000000, int64(math.Abs(num))%1e9))
		defer cancel()
	}
	if flags&flagSpan != 0 {
		ctx = trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5}, TraceFlags: trace.FlagsSampled}))
	}
	if flags&flagBaggage != 0 {
		m, _ := baggage.NewMemberRaw("tenant", "acme")
		b, _ := baggage.New(m)
		ctx = baggage.ContextWithBaggage(ctx, b)
	}
	ctx = peer.NewContext(ctx, &peer.Peer{Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 4242}})
	// Started at the earliest time a call can carry: the start line's time since the start is
	// then the longest duration, the same on both sides.
	c := &call{log: l, service: service, method: method, typ: interceptors.Unary, startNano: math.MinInt64}
	c.parent = ctx
	if flags&flagAttempts != 0 {
		c.attempts = attempts{failed: []codes.Code{codes.Unavailable}}
	}
	if flags&flagPayload != 0 {
		c.payloads = &unaryPayloads{request: map[string]any{"text": text, "num": num}, response: []byte(text)}
	}
	if flags&flagAddFields != 0 {
		AddFields(c.ctx(), logrus.Fields{"added": num, FieldService: "ignored"})
	}
	ln := &line{code: codes.OK, start: flags&flagStartLine != 0}
	if flags&flagFinished != 0 {
		ln = &line{finished: true, code: codes.Code(uint32(num) % 17), duration: time.Duration(num * 1e6)}
		if flags&flagError != 0 {
			ln.err = errors.New(text)
			ln.code = codes.Internal
		}
		if flags&flagPanic != 0 {
			ln.err = &interceptors.PanicError{Value: text, Stack: []byte(text)}
		}
	}
	return c, ln
}

// FuzzDirectLine checks that a logrus line written by (*call).write, directly or through
// logrus, has the bytes of the logrus path before the direct one (logrusWrite), for arbitrary
// call contents and levels, and every configuration that bears on the choice: hooks or none
// (which also see the same lines), ReportCaller, FieldMap, the logger given as an entry with
// fields, AddFields, baggage, go-grpc-middleware's fields, payloads, SetNoLock. Run it with
//
//	go test -run '^$' -fuzz FuzzDirectLine ./interceptors/logging
func FuzzDirectLine(f *testing.F) {
	f.Add("grpcobs.demo.v1.DemoService", "Echo", "boom", 1.5, uint8(4), uint32(flagFinished|flagSpan))
	f.Add("s\"\\\n\u2028", "m\x00\xff", "<&>\x7f\u0085", math.NaN(), uint8(2), uint32(flagFinished|flagError|flagDeadline))
	f.Add("s", "m", "t", math.Inf(1), uint8(6), uint32(flagFinished|flagPanic|flagMWFields|flagClient|flagAttempts))
	f.Add("s", "m", "t", 1e-9, uint8(5), uint32(flagStartLine|flagMWFields|flagPayload|flagNoTimestamp))
	f.Add("s", "m", "t", 2.0, uint8(4), uint32(flagFinished|flagFieldMapClash))
	f.Add("s", "m", "t", 3.0, uint8(4), uint32(flagFinished|flagFieldMapOther|flagNoLock))
	f.Add("s", "m", "t", 4.0, uint8(0), uint32(flagFinished|flagHook|flagSpan))
	f.Add("s", "m", "t", 5.0, uint8(3), uint32(flagFinished|flagReportCaller))
	f.Add("s", "m", "t", 6.0, uint8(4), uint32(flagFinished|flagBaseFields|flagAddFields))
	f.Add("s", "m", "t", 7.0, uint8(4), uint32(flagFinished|flagBaggage|flagSpan))
	f.Fuzz(func(t *testing.T, service, method, text string, num float64, lvl uint8, flags uint32) {
		level := logrus.Level(lvl % uint8(len(logrus.AllLevels)))
		var direct, viaLogrus bytes.Buffer
		var directHook, logrusHook hookRecord
		c, ln := directSide(flags, level, service, method, text, num, &direct, &directHook)
		ref, refLine := directSide(flags, level, service, method, text, num, &viaLogrus, &logrusHook)
		took := false
		if formatter := c.directFormatter(level); formatter != nil {
			fields := new(lineFields)
			c.fields(fields, ln)
			took = c.writeDirect(level, msgFinished, formatter, fields)
		}
		if !took {
			c.write(level, msgFinished, ln)
		}
		logrusWrite(ref, level, msgFinished, refLine)
		const fallback = flagHook | flagReportCaller | flagBaseFields | flagAddFields | flagBaggage | flagFieldMapClash
		if want := flags&fallback == 0; took != want {
			t.Errorf("flags %b: the line was written directly: %v, want %v", flags, took, want)
		}
		if direct.String() != viaLogrus.String() {
			t.Errorf("flags %b, level %v: (*call).write wrote\n%s\nthe logrus path\n%s", flags, level, direct.String(), viaLogrus.String())
		}
		if !slices.Equal(directHook.lines, logrusHook.lines) {
			t.Errorf("flags %b: hooks saw %q, on the logrus path %q", flags, directHook.lines, logrusHook.lines)
		}
		if flags&flagHook != 0 && len(logrusHook.lines) != 1 {
			t.Errorf("flags %b: the hook saw %d lines, want 1", flags, len(logrusHook.lines))
		}
	})
}

// TestDirectLinesKeepReportCallersFrame checks that with ReportCaller a line still names the
// frame the logrus path named before the direct path: the one that logs the line.
func TestDirectLinesKeepReportCallersFrame(t *testing.T) {
	var out bytes.Buffer
	c, ln := directSide(flagFinished|flagReportCaller|flagNoTimestamp, logrus.InfoLevel, "s", "m", "t", 1, &out, nil)
	c.log.logger.Formatter.(*jsonformat.Formatter).CallerPrettyfier = nil
	c.write(logrus.InfoLevel, msgFinished, ln)
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("line %q: %v", out.String(), err)
	}
	const want = "github.com/grpcobs/grpcobs/interceptors/logging.(*call).write"
	if got[logrus.FieldKeyFunc] != want || !strings.Contains(got[logrus.FieldKeyFile].(string), "reporter.go:") {
		t.Errorf("caller: func %v, file %v; want %s in reporter.go", got[logrus.FieldKeyFunc], got[logrus.FieldKeyFile], want)
	}
}

// serialWriter is an io.Writer that is not safe for concurrent use: it counts the writes that
// overlap (and the race detector sees its buffer written concurrently).
type serialWriter struct {
	inFlight, overlaps atomic.Int32
	buf                bytes.Buffer
}

func (w *serialWriter) Write(p []byte) (int, error) {
	if w.inFlight.Add(1) != 1 {
		w.overlaps.Add(1)
	}
	defer w.inFlight.Add(-1)
	runtime.Gosched()
	return w.buf.Write(p)
}

// TestDirectLinesShareTheLoggersLock writes direct lines, the application's own logrus lines
// and, midway, adds a hook (from which on the call's lines go through logrus), all at once, to
// a writer that is not safe for concurrent use: no write overlaps another, every line is whole,
// and every call line has the bytes of the logrus path.
func TestDirectLinesShareTheLoggersLock(t *testing.T) {
	const flags = flagFinished | flagSpan | flagDeadline | flagNoTimestamp
	var want bytes.Buffer
	ref, refLine := directSide(flags, logrus.InfoLevel, "s", "m", "t", 1, &want, nil)
	logrusWrite(ref, logrus.InfoLevel, msgFinished, refLine)

	var w serialWriter
	var discard bytes.Buffer
	c, ln := directSide(flags, logrus.InfoLevel, "s", "m", "t", 1, &discard, nil)
	logger := c.log.logger
	logger.SetOutput(&w)
	const writers, lines = 4, 200
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			for j := range lines {
				c.write(logrus.InfoLevel, msgFinished, ln)
				logger.WithField("app", i).Info("application line")
				if i == 0 && j == lines/2 {
					logger.AddHook(&nopHook{})
				}
			}
		})
	}
	wg.Wait()
	if n := w.overlaps.Load(); n != 0 {
		t.Errorf("%d writes overlapped another", n)
	}
	got := strings.SplitAfter(w.buf.String(), "\n")
	got = got[:len(got)-1] // after the last newline
	if len(got) != 2*writers*lines {
		t.Fatalf("%d lines, want %d", len(got), 2*writers*lines)
	}
	calls := 0
	for _, l := range got {
		if !json.Valid([]byte(l)) {
			t.Fatalf("line %q is not one JSON object", l)
		}
		if strings.Contains(l, msgFinished) {
			calls++
			if l != want.String() {
				t.Errorf("call line %q, the logrus path writes %q", l, want.String())
			}
		}
	}
	if calls != writers*lines {
		t.Errorf("%d call lines, want %d", calls, writers*lines)
	}
}

// nopHook is a hook that does nothing, on every level.
type nopHook struct{}

func (nopHook) Levels() []logrus.Level   { return logrus.AllLevels }
func (nopHook) Fire(*logrus.Entry) error { return nil }

// TestDirectKeysAreInWrittenOrder checks the fixed set's table: its keys sorted (jsonformat's
// order), each found at its own slot, and no more than the slots' bit mask holds.
func TestDirectKeysAreInWrittenOrder(t *testing.T) {
	if !slices.IsSorted(directKeys[:]) || len(slices.Compact(slices.Clone(directKeys[:]))) != len(directKeys) {
		t.Errorf("directKeys %q are not sorted without repeats", directKeys)
	}
	for i, k := range directKeys {
		if got := directSlot(k); got != i {
			t.Errorf("directSlot(%q) = %d, want %d", k, got, i)
		}
	}
	if len(directKeys) > 32 {
		t.Errorf("%d keys, more than lineFields.present has bits", len(directKeys))
	}
	for _, k := range []string{"", "baggage.tenant", MetadataFieldPrefix + "x", "time", "msg", "level"} {
		if got := directSlot(k); got != -1 {
			t.Errorf("directSlot(%q) = %d, want -1", k, got)
		}
	}
}

package logging

import (
	"fmt"
	"os"
	"reflect"
	"sync"
	"time"
	"unsafe"

	"github.com/grpcobs/grpcobs/interceptors/logging/internal/jsonline"
	"github.com/sirupsen/logrus"
)

// A logrus line is written straight to the logger's output, in key order, with no entry, no
// map and no sort, when that gives the bytes logrus would write (writeDirect). Otherwise, and
// this is the fallback, the line goes through logrus as before, with the same fields:
//   - the logger's lock cannot be found (logrus changed its Logger: see loggerLockOffset);
//   - the logger was given as an entry with fields, or the call has fields from AddFields;
//   - a field outside the fixed set (baggage, metadata, or logrus.ErrorKey renamed);
//   - hooks for the line's level, or ReportCaller on;
//   - a formatter other than jsonformat's, or a FieldMap that makes a field clash.

// directKeys are the keys a line of the fixed set can carry, in the order they are written
// (sorted, as jsonformat writes an entry's fields). directSlot maps each to its index.
var directKeys = [...]string{
	"error",
	FieldAttemptCodes,
	FieldAttempts,
	FieldCode,
	FieldComponent,
	mwFieldError,
	FieldMethod,
	FieldMethodType,
	FieldPanicStack,
	FieldRequestContent,
	FieldDeadline,
	FieldResponseContent,
	FieldService,
	mwFieldStartTime,
	FieldTimeMS,
	FieldPeerAddress,
	mwFieldProtocol,
	FieldSpanID,
	FieldTraceID,
}

// directSlot is the index of key in directKeys, or -1.
func directSlot(key string) int {
	switch key {
	case "error":
		return 0
	case FieldAttemptCodes:
		return 1
	case FieldAttempts:
		return 2
	case FieldCode:
		return 3
	case FieldComponent:
		return 4
	case mwFieldError:
		return 5
	case FieldMethod:
		return 6
	case FieldMethodType:
		return 7
	case FieldPanicStack:
		return 8
	case FieldRequestContent:
		return 9
	case FieldDeadline:
		return 10
	case FieldResponseContent:
		return 11
	case FieldService:
		return 12
	case mwFieldStartTime:
		return 13
	case FieldTimeMS:
		return 14
	case FieldPeerAddress:
		return 15
	case mwFieldProtocol:
		return 16
	case FieldSpanID:
		return 17
	case FieldTraceID:
		return 18
	}
	return -1
}

// lineFields is the sink of a logrus line's fields (call.fields): the fixed set in slots, any
// other field in extra, in the order set. Pooled, with the buffer a direct line is written in.
type lineFields struct {
	slots   [len(directKeys)]jsonline.Field
	present uint32 // a bit per slot
	extra   []jsonline.Field
	out     []jsonline.Field // the present slots, in order
	buf     []byte
}

func (f *lineFields) set(key string, value any) {
	if i := directSlot(key); i >= 0 {
		f.slots[i] = jsonline.Field{Key: key, Value: value}
		f.present |= 1 << i
		return
	}
	f.extra = append(f.extra, jsonline.Field{Key: key, Value: value})
}

func (f *lineFields) setString(key, value string) { f.set(key, value) }

func (f *lineFields) setFloat(key string, value float64) {
	if i := directSlot(key); i >= 0 {
		f.slots[i] = jsonline.Field{Key: key, Float: value, IsFloat: true}
		f.present |= 1 << i
		return
	}
	f.extra = append(f.extra, jsonline.Field{Key: key, Value: value})
}

// copyTo sets the fields in data, as call.fields set them before the direct path: the value
// set last wins.
func (f *lineFields) copyTo(data logrus.Fields) {
	for i := range f.slots {
		if f.present&(1<<i) != 0 {
			data[f.slots[i].Key] = boxed(&f.slots[i])
		}
	}
	for _, fl := range f.extra {
		data[fl.Key] = fl.Value
	}
}

// maxPooledLine keeps an occasional huge line from pinning its buffer in the pool.
const maxPooledLine = 64 << 10

var lineFieldsPool = sync.Pool{New: func() any { return new(lineFields) }}

func (f *lineFields) release() {
	if cap(f.buf) > maxPooledLine || cap(f.extra) > maxPooledFields {
		return
	}
	clear(f.slots[:]) // drop the references to the values
	clear(f.extra)
	clear(f.out)
	f.present, f.extra, f.out, f.buf = 0, f.extra[:0], f.out[:0], f.buf[:0]
	lineFieldsPool.Put(f)
}

// directFormatter returns the logger's formatter when a line at level may be written directly:
// no fields from the logger's entry or AddFields, the logger's lock found, and, read under
// it, jsonformat's formatter, no hook for level and no ReportCaller. Otherwise it returns nil
// and the line goes through logrus, its fields built in the entry's map as before.
func (c *call) directFormatter(level logrus.Level) logrus.Formatter {
	l := c.log
	if len(l.baseFields) > 0 || len(c.addedFields()) > 0 {
		return nil
	}
	logger := l.logger
	mu := loggerLock(logger)
	if mu == nil {
		return nil
	}
	mu.Lock()
	formatter, hooks, caller := logger.Formatter, len(logger.Hooks[level]), logger.ReportCaller
	mu.Unlock()
	if hooks > 0 || caller || !jsonline.Writes(formatter) {
		return nil
	}
	return formatter
}

// writeDirect writes the line of fields f at level straight to the logger's output, in
// formatter's format (see directFormatter), and reports whether it did; when it cannot be
// sure of logrus' bytes (a field outside the fixed set, a FieldMap that makes a field clash)
// it writes nothing and reports false. It takes the logger's own lock to write, as logrus
// does, so that its lines and logrus' never interleave.
func (c *call) writeDirect(level logrus.Level, msg string, formatter logrus.Formatter, f *lineFields) bool {
	if len(f.extra) > 0 {
		return false
	}
	f.out = f.out[:0]
	for i := range f.slots {
		if f.present&(1<<i) != 0 {
			f.out = append(f.out, f.slots[i])
		}
	}
	b, ok := jsonline.Append(formatter, f.buf[:0], time.Now(), level, msg, f.out)
	f.buf = b
	if !ok {
		return false
	}
	logger := c.log.logger
	mu := loggerLock(logger)
	mu.Lock()
	defer mu.Unlock()
	if _, err := logger.Out.Write(b); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "Failed to write to log:", err)
	}
	return true
}

// boxed is the field's value as the logrus path holds it.
func boxed(fl *jsonline.Field) any {
	if fl.IsFloat {
		return fl.Float
	}
	return fl.Value
}

// logrusLock is the layout of logrus.Logger's unexported mutex (its mutexWrap), the lock
// logrus takes to read the logger's configuration and to write a line to Out.
type logrusLock struct {
	lock     sync.Mutex
	disabled bool // SetNoLock
}

func (m *logrusLock) Lock() {
	if !m.disabled {
		m.lock.Lock()
	}
}

func (m *logrusLock) Unlock() {
	if !m.disabled {
		m.lock.Unlock()
	}
}

// loggerLockOffset is the offset of that mutex in logrus.Logger, or -1 when its field is not
// there with the layout of logrusLock: then no line is written directly.
var loggerLockOffset = func() uintptr {
	field, ok := reflect.TypeFor[logrus.Logger]().FieldByName("mu")
	want := reflect.TypeFor[logrusLock]()
	if !ok || field.Type.Kind() != reflect.Struct || field.Type.Size() != want.Size() ||
		field.Type.NumField() != want.NumField() {
		return ^uintptr(0)
	}
	for i := range want.NumField() {
		got, w := field.Type.Field(i), want.Field(i)
		if got.Name != w.Name || got.Type != w.Type || got.Offset != w.Offset {
			return ^uintptr(0)
		}
	}
	return field.Offset
}()

// loggerLock is logger's own mutex, or nil when it cannot be found.
func loggerLock(logger *logrus.Logger) *logrusLock {
	if loggerLockOffset == ^uintptr(0) {
		return nil
	}
	return (*logrusLock)(unsafe.Add(unsafe.Pointer(logger), loggerLockOffset))
}

package jsonformat

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// Formatter writes logrus entries as single-line JSON objects. The zero value is ready to use;
// it is safe for concurrent use as long as its fields are not changed after the logger starts
// logging.
type Formatter struct {
	// TimestampFormat is the layout of the time field (see time.Layout). Default:
	// time.RFC3339Nano.
	TimestampFormat string

	// DisableTimestamp leaves the time field out, for instance when the log shipper stamps
	// lines itself, or for deterministic output. Default: false.
	DisableTimestamp bool

	// FieldMap renames the fixed keys (logrus.FieldKeyTime, FieldKeyLevel, FieldKeyMsg,
	// FieldKeyFunc, FieldKeyFile), as it does for logrus.JSONFormatter. Default: none.
	FieldMap logrus.FieldMap

	// CallerPrettyfier turns the caller frame into the func and file values when the logger
	// reports the caller; an empty result leaves that key out. Default: the function's name,
	// and file:line.
	CallerPrettyfier func(*runtime.Frame) (function string, file string)
}

var _ logrus.Formatter = (*Formatter)(nil)

// fixedKeys are the keys a Formatter writes itself, after FieldMap.
type fixedKeys struct {
	time, level, msg, funcKey, file string
}

func (f *Formatter) keys() fixedKeys {
	k := fixedKeys{
		time:    logrus.FieldKeyTime,
		level:   logrus.FieldKeyLevel,
		msg:     logrus.FieldKeyMsg,
		funcKey: logrus.FieldKeyFunc,
		file:    logrus.FieldKeyFile,
	}
	if len(f.FieldMap) == 0 {
		return k
	}
	if v, ok := f.FieldMap[logrus.FieldKeyTime]; ok {
		k.time = v
	}
	if v, ok := f.FieldMap[logrus.FieldKeyLevel]; ok {
		k.level = v
	}
	if v, ok := f.FieldMap[logrus.FieldKeyMsg]; ok {
		k.msg = v
	}
	if v, ok := f.FieldMap[logrus.FieldKeyFunc]; ok {
		k.funcKey = v
	}
	if v, ok := f.FieldMap[logrus.FieldKeyFile]; ok {
		k.file = v
	}
	return k
}

// clashes reports whether a field named key must be renamed "fields.<key>" because the
// formatter writes that key itself. As in logrus.JSONFormatter, func and file only clash when
// the caller is reported.
func (k *fixedKeys) clashes(key string, hasCaller bool) bool {
	return key == k.time || key == k.level || key == k.msg ||
		(hasCaller && (key == k.funcKey || key == k.file))
}

const clashPrefix = "fields."

// writtenName is the key a field named key is written under.
func (k *fixedKeys) writtenName(key string, hasCaller bool) string {
	if k.clashes(key, hasCaller) {
		return clashPrefix + key
	}
	return key
}

// shadowed reports whether the field named key gives way to a renamed clashing field: when the
// entry has both "msg" and "fields.msg", the first is written as "fields.msg" and the second
// is left out, as in logrus.JSONFormatter, so that no key is written twice.
func (k *fixedKeys) shadowed(key string, hasCaller bool, data logrus.Fields) bool {
	rest, ok := strings.CutPrefix(key, clashPrefix)
	if !ok || !k.clashes(rest, hasCaller) {
		return false
	}
	_, renamed := data[rest]
	return renamed
}

// field is one of an entry's fields.
type field struct {
	key   string
	value any
}

// sortByKey sorts fields by key: by insertion for the few fields of a typical line, which
// beats a general sort there.
func sortByKey(fields []field) {
	if len(fields) > 16 {
		slices.SortFunc(fields, func(a, b field) int { return strings.Compare(a.key, b.key) })
		return
	}
	for i := 1; i < len(fields); i++ {
		for j := i; j > 0 && fields[j].key < fields[j-1].key; j-- {
			fields[j], fields[j-1] = fields[j-1], fields[j]
		}
	}
}

// maxPooledFields keeps the slice of an entry with very many fields out of the pool.
const maxPooledFields = 1024

// fieldPool holds the slices an entry's fields are sorted in.
var fieldPool = sync.Pool{New: func() any {
	s := make([]field, 0, 32)
	return &s
}}

// Format renders the entry as one line of JSON, ending in a newline. It never fails: the error
// is always nil.
func (f *Formatter) Format(entry *logrus.Entry) ([]byte, error) {
	k := f.keys()
	hasCaller := entry.Caller != nil

	var b []byte
	if entry.Buffer != nil {
		b = entry.Buffer.AvailableBuffer()
	} else {
		b = make([]byte, 0, 256+64*len(entry.Data))
	}

	b = f.appendHead(b, &k, entry.Time, entry.Level, entry.Message)
	if hasCaller {
		b = f.appendCaller(b, &k, entry.Caller)
	}

	if len(entry.Data) > 0 {
		pooled := fieldPool.Get().(*[]field)
		fields := (*pooled)[:0]
		for key, value := range entry.Data {
			fields = append(fields, field{key, value})
		}
		sortByKey(fields)
		if slices.ContainsFunc(fields, func(fl field) bool { return k.clashes(fl.key, hasCaller) }) {
			// Rare: sort again by the keys as written.
			slices.SortFunc(fields, func(a, b field) int {
				return strings.Compare(k.writtenName(a.key, hasCaller), k.writtenName(b.key, hasCaller))
			})
		}
		for _, fl := range fields {
			if k.shadowed(fl.key, hasCaller, entry.Data) {
				continue
			}
			b = append(b, ',')
			if k.clashes(fl.key, hasCaller) {
				b = appendPrefixedKey(b, clashPrefix, fl.key)
			} else {
				b = appendKey(b, fl.key)
			}
			b = appendValue(b, fl.value)
		}
		if cap(fields) <= maxPooledFields {
			clear(fields) // drop the references to the values
			*pooled = fields[:0]
			fieldPool.Put(pooled)
		}
	}
	b = append(b, '}', '\n')

	if entry.Buffer == nil {
		return b, nil
	}
	entry.Buffer.Write(b)
	return entry.Buffer.Bytes(), nil
}

// appendHead writes the opening of a line: the brace, then time, level and msg.
func (f *Formatter) appendHead(b []byte, k *fixedKeys, t time.Time, level logrus.Level, msg string) []byte {
	b = append(b, '{')
	if !f.DisableTimestamp {
		layout := f.TimestampFormat
		if layout == "" {
			layout = time.RFC3339Nano
		}
		b = appendKey(b, k.time)
		b = appendTime(b, t, layout)
		b = append(b, ',')
	}
	b = appendKey(b, k.level)
	b = appendString(b, level.String())
	b = append(b, ',')
	b = appendKey(b, k.msg)
	return appendString(b, msg)
}

func (f *Formatter) appendCaller(b []byte, k *fixedKeys, caller *runtime.Frame) []byte {
	var function, file string
	if f.CallerPrettyfier != nil {
		function, file = f.CallerPrettyfier(caller)
	} else {
		function = caller.Function
		file = caller.File + ":" + strconv.Itoa(caller.Line)
	}
	if function != "" {
		b = append(b, ',')
		b = appendKey(b, k.funcKey)
		b = appendString(b, function)
	}
	if file != "" {
		b = append(b, ',')
		b = appendKey(b, k.file)
		b = appendString(b, file)
	}
	return b
}

func appendKey(b []byte, key string) []byte {
	b = appendString(b, key)
	return append(b, ':')
}

func appendPrefixedKey(b []byte, prefix, key string) []byte {
	b = append(b, '"')
	b = appendStringBody(b, prefix)
	b = appendStringBody(b, key)
	return append(b, '"', ':')
}

// appendTime writes t in layout as a JSON string. The layout is the user's, so the result is
// escaped like any other string.
func appendTime(b []byte, t time.Time, layout string) []byte {
	var scratch [64]byte
	formatted := t.AppendFormat(scratch[:0], layout)
	for _, c := range formatted {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return appendString(b, string(formatted))
		}
	}
	b = append(b, '"')
	b = append(b, formatted...)
	return append(b, '"')
}

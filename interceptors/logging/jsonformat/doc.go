// Package jsonformat is a fast logrus.Formatter that writes each entry as one line of JSON.
//
// It is a drop-in replacement for logrus.JSONFormatter, built for loggers that write a line per
// gRPC call: it appends straight into logrus' pooled buffer instead of copying the fields into
// a second map and handing them to encoding/json, and it escapes every string itself. The line
// is valid JSON (RFC 8259, UTF-8) whatever the field values hold, and it never spans two lines:
//
//   - quotes and backslashes are escaped; control characters, DEL and the C1 controls
//     (U+0080–U+009F, which some terminals honour as escape sequences) become \u00XX, with the
//     short forms \n, \r, \t, \b, \f where JSON has them;
//   - invalid UTF-8 becomes \ufffd, byte by byte, as encoding/json does;
//   - U+2028 and U+2029 are escaped, so the line is also a valid JavaScript string literal;
//   - NaN and ±Inf, which JSON cannot represent, are written as the strings "NaN", "+Inf" and
//     "-Inf";
//   - a value that encoding/json cannot marshal (a channel, a cyclic map, a MarshalJSON that
//     fails or panics) is written as a string describing the failure, instead of the whole line
//     being dropped as logrus.JSONFormatter does.
//
// Keys come out in a fixed order: time, level, msg, then func and file when the logger reports
// the caller, then the entry's fields sorted by key. A field that clashes with one of those
// keys is renamed "fields.<key>", as logrus.JSONFormatter does. Other values are written as
// logrus.JSONFormatter writes them (an error as its message, anything else as encoding/json
// marshals it), except that <, > and & are not HTML-escaped.
//
//	logger := logrus.New()
//	logger.SetFormatter(&jsonformat.Formatter{})
package jsonformat

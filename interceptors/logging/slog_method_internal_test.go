package logging

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/sirupsen/logrus"
)

// slogFinishLine logs one call's finish line through the handler mk makes, with a field added
// that clashes with two of the method's fields, and returns what the handler wrote. A known
// call logs through the handler its method's fields were given to (slogMethod); any other
// with every field on the record.
func slogFinishLine(mk func(*bytes.Buffer) slog.Handler, known bool, opts ...Option) string {
	var out bytes.Buffer
	l := newCallLogger(logrus.StandardLogger(), false, opts)
	l.slogger = slog.New(mk(&out))
	l.slog = l.slogger.Handler()
	meta := mw.CallMeta{Service: "s.v1.S", Method: "M", Typ: mw.Unary}
	method, _ := signal.NewResolver(nil, 1).Resolve(meta, nil, true)
	rep, ctx := l.start(context.Background(), signal.Call{Meta: meta, Known: known, Method: method})
	AddFields(ctx, logrus.Fields{FieldService: "clash", FieldMethodType: "clash", "tenant": "acme"})
	rep.PostCall(nil, 0)
	return out.String()
}

// TestSlogLinesAreTheSameWithTheMethodsFieldsBound: a line logged through the handler a
// method's fields were given to (WithAttrs) is byte for byte the line logged with every field
// on the record, through JSON and text handlers, with attributes and groups opened before,
// a ReplaceAttr that reads the groups, go-grpc-middleware's fields, and fields added with
// AddFields that clash with the method's.
func TestSlogLinesAreTheSameWithTheMethodsFieldsBound(t *testing.T) {
	stable := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == mwFieldStartTime {
			return slog.Attr{}
		}
		return a
	}
	grouped := func(groups []string, a slog.Attr) slog.Attr {
		if a = stable(groups, a); a.Key != "" {
			a.Key = strings.Join(groups, "/") + ":" + strings.ToUpper(a.Key)
		}
		return a
	}
	for name, mk := range map[string]func(*bytes.Buffer) slog.Handler{
		"JSON": func(b *bytes.Buffer) slog.Handler {
			return slog.NewJSONHandler(b, &slog.HandlerOptions{ReplaceAttr: stable})
		},
		"JSON with attributes, a group and ReplaceAttr": func(b *bytes.Buffer) slog.Handler {
			return slog.NewJSONHandler(b, &slog.HandlerOptions{ReplaceAttr: grouped}).WithAttrs([]slog.Attr{slog.String("instance", "a")}).WithGroup("g")
		},
		"text with two groups": func(b *bytes.Buffer) slog.Handler {
			return slog.NewTextHandler(b, &slog.HandlerOptions{ReplaceAttr: grouped}).WithGroup("g").WithGroup("h")
		},
	} {
		for _, opts := range [][]Option{nil, {WithGoGRPCMiddlewareFields()}} {
			bound, unbound := slogFinishLine(mk, true, opts...), slogFinishLine(mk, false, opts...)
			if bound != unbound || !strings.Contains(bound, "s.v1.S") || !strings.Contains(bound, "acme") {
				t.Errorf("%s, %d options: through the bound handler\n%s\nwith every field on the record\n%s", name, len(opts), bound, unbound)
			}
			if strings.Contains(bound, "clash") {
				t.Errorf("%s: a field added with AddFields replaced or repeated one of the method's:\n%s", name, bound)
			}
		}
	}
}

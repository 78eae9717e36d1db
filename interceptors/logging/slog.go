package logging

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
)

// NewSlogServer returns a Server that logs through a log/slog logger: the same lines, fields
// and options as NewServer, written as slog records to logger's handler (slog.Default() when
// nil, as it is when NewSlogServer is called). Attributes and groups given with logger.With
// and logger.WithGroup apply to every line. Handlers log through SlogFromContext, or through
// their own slog logger when its handler is wrapped in a SlogHandler.
func NewSlogServer(logger *slog.Logger, opts ...Option) *Server {
	return (*Server)(newSlogSide(logger, false, opts))
}

// NewSlogClient returns a Client that logs through a log/slog logger, as NewSlogServer does.
func NewSlogClient(logger *slog.Logger, opts ...Option) *Client {
	return (*Client)(newSlogSide(logger, true, opts))
}

func newSlogSide(logger *slog.Logger, isClient bool, opts []Option) *side {
	l := newCallLogger(logrus.StandardLogger(), isClient, opts)
	l.slogger = unwrapped(logger)
	l.slog = l.slogger.Handler()
	return signal.NewSide(l, signal.Sides(l.traits(), l.start))
}

// unwrapped returns logger (slog.Default() when nil) without a SlogHandler around its handler:
// the call's lines and SlogFromContext's loggers carry the call's fields already, and the
// wrapper would add them twice.
func unwrapped(logger *slog.Logger) *slog.Logger {
	if logger == nil {
		logger = slog.Default()
	}
	if h, ok := logger.Handler().(*SlogHandler); ok {
		return slog.New(h.next)
	}
	return logger
}

// slogAttrs is the slog backend's sink: the attributes of one record. bound are the
// attributes the record's handler carries already (slogMethod's), which a field added with
// AddFields must not repeat.
type slogAttrs struct{ attrs, bound []slog.Attr }

func (s *slogAttrs) set(key string, value any) { s.attrs = append(s.attrs, slog.Any(key, value)) }
func (s *slogAttrs) setString(key, value string) {
	s.attrs = append(s.attrs, slog.String(key, value))
}
func (s *slogAttrs) setFloat(key string, value float64) {
	s.attrs = append(s.attrs, slog.Float64(key, value))
}

// has reports whether an attribute is named key.
func (s *slogAttrs) has(key string) bool {
	for _, a := range s.bound {
		if a.Key == key {
			return true
		}
	}
	for _, a := range s.attrs {
		if a.Key == key {
			return true
		}
	}
	return false
}

// addFields appends fields whose keys are not there yet, in the order of their keys: slog
// writes every attribute it is given, so a clash would write a key twice.
func (s *slogAttrs) addFields(fields logrus.Fields) {
	switch len(fields) {
	case 0:
		return
	case 1:
		for k, v := range fields {
			if !s.has(k) {
				s.set(k, v)
			}
		}
		return
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !s.has(k) {
			s.set(k, fields[k])
		}
	}
}

// attrPool holds the attributes lines are built in: a record copies them (AddAttrs).
var attrPool = sync.Pool{New: func() any { return &slogAttrs{attrs: make([]slog.Attr, 0, 24)} }}

// writeSlog logs one line of the call as a slog record, with the call's context (so that a
// handler such as OpenTelemetry's slog bridge sees the span). The fields are those of the
// logrus backend, the call's own first, then those added with AddFields.
func (c *call) writeSlog(level logrus.Level, msg string, ln *line) {
	s := attrPool.Get().(*slogAttrs)
	handler := c.log.slog
	if m := c.slogMethod; m != nil {
		handler, s.bound = m.handler, m.attrs
		c.lineFields(s, ln)
	} else {
		c.fields(s, ln)
	}
	s.addFields(c.addedFields())
	r := slog.NewRecord(time.Now(), SlogLevel(level), msg, 0)
	r.AddAttrs(s.attrs...)
	_ = handler.Handle(c.ctx(), r)
	if cap(s.attrs) > 4*maxPooledFields {
		return
	}
	clear(s.attrs)
	s.attrs, s.bound = s.attrs[:0], nil
	attrPool.Put(s)
}

// slogMethod is what the slog backend keeps once per known method: the logger's handler with
// the method's fields (methodFields) given to WithAttrs, so that a handler which encodes the
// attributes it is given that way once (JSONHandler, TextHandler) does not encode them again
// on every line. A record's own attributes follow the handler's, so the line is the same.
type slogMethod struct {
	handler slog.Handler
	attrs   []slog.Attr
	typ     interceptors.GRPCType
}

// slogMethodOf returns the slogMethod of the call's method, built on its first call, or nil
// for a method that is not known (its name is the caller's, and takes no memory) or a call
// whose type differs from the one the method's was built for.
func (l *callLogger) slogMethodOf(sc signal.Call) *slogMethod {
	if l.slog == nil || !sc.Known || sc.Method == nil {
		return nil
	}
	if m, ok := sc.Method.Slot(sc.Slot).(*slogMethod); ok {
		if m.typ != sc.Meta.Typ {
			return nil
		}
		return m
	}
	s := &slogAttrs{}
	l.methodFields(s, sc.Method.Key.Service, sc.Method.Key.Method, sc.Meta.Typ) // the cache's own copies
	m := &slogMethod{handler: l.slog.WithAttrs(s.attrs), attrs: s.attrs, typ: sc.Meta.Typ}
	sc.Method.Store(sc.Slot, m)
	return m
}

// SlogFromContext returns the request-scoped slog logger of the call ctx belongs to, as
// FromContext returns its logrus entry: the call's slog logger (slog.Default() for a call
// logged through logrus) with grpc.component, grpc.service, grpc.method, trace_id and span_id
// (when the span context is valid) and the fields added with AddFields. It is built on first
// use and shared for the call; when ctx carries a span started inside the handler, the logger
// carries that span's ids instead. Outside a logged call it returns slog.Default() with the
// trace ids of ctx's span, if any. It never returns nil.
//
// Log through it with the plain methods (Info), or with the Context ones (InfoContext) and
// ctx: hooks then see the span. Do not log through it to a SlogHandler: that adds the same
// fields again.
func SlogFromContext(ctx context.Context) *slog.Logger {
	c := callFrom(ctx)
	if c == nil {
		logger := unwrapped(nil)
		if ctx != nil {
			if span := trace.SpanContextFromContext(ctx); span.IsValid() {
				return logger.With(FieldTraceID, span.TraceID().String(), FieldSpanID, span.SpanID().String())
			}
		}
		return logger
	}
	inner := trace.SpanContextFromContext(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	attrs, span := c.slogAttrsLocked()
	if inner.IsValid() && !inner.Equal(span) {
		return c.slogBase().With(asAny(withSpan(attrs, inner))...)
	}
	if c.slogScope.logger == nil {
		c.slogScope.logger = c.slogBase().With(asAny(attrs)...)
	}
	return c.slogScope.logger
}

// slogBase is the logger SlogFromContext derives from.
func (c *call) slogBase() *slog.Logger {
	if c.log.slogger != nil {
		return c.log.slogger
	}
	return unwrapped(nil)
}

// slogScope is a call's request-scoped slog state, apart from the call so that a call logged
// without it carries one pointer more, not the whole.
type slogScope struct {
	attrs  []slog.Attr  // what SlogFromContext and SlogHandler add
	logger *slog.Logger // SlogFromContext's logger
}

// slogAttrsLocked returns the call's request-scoped attributes, building them on first use,
// and the span they carry; c.mu is held. They are the fields of FromContext's entry: the
// call's own, those added with AddFields, and a logrus backend's base fields.
func (c *call) slogAttrsLocked() ([]slog.Attr, trace.SpanContext) {
	span := trace.SpanContextFromContext(c.ctx())
	if c.slogScope == nil {
		s := &slogAttrs{attrs: make([]slog.Attr, 0, 5+len(c.added)+len(c.log.baseFields))}
		s.set(FieldComponent, c.log.component)
		s.set(FieldService, c.service)
		s.set(FieldMethod, c.method)
		addTraceFields(s, span)
		s.addFields(c.added)
		s.addFields(c.log.baseFields)
		c.slogScope = &slogScope{attrs: s.attrs}
	}
	return c.slogScope.attrs, span
}

// withSpan returns a copy of attrs with the ids of span instead of the call's.
func withSpan(attrs []slog.Attr, span trace.SpanContext) []slog.Attr {
	out := make([]slog.Attr, 0, len(attrs)+2)
	for _, a := range attrs {
		if a.Key != FieldTraceID && a.Key != FieldSpanID {
			out = append(out, a)
		}
	}
	return append(out, slog.String(FieldTraceID, span.TraceID().String()), slog.String(FieldSpanID, span.SpanID().String()))
}

func asAny(attrs []slog.Attr) []any {
	out := make([]any, len(attrs))
	for i, a := range attrs {
		out[i] = a
	}
	return out
}

// contextAttrs are the attributes a SlogHandler adds to a record logged with ctx.
func contextAttrs(ctx context.Context) []slog.Attr {
	if ctx == nil {
		return nil
	}
	inner := trace.SpanContextFromContext(ctx)
	c := callFrom(ctx)
	if c == nil {
		if !inner.IsValid() {
			return nil
		}
		return []slog.Attr{slog.String(FieldTraceID, inner.TraceID().String()), slog.String(FieldSpanID, inner.SpanID().String())}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	attrs, span := c.slogAttrsLocked()
	if inner.IsValid() && !inner.Equal(span) {
		return withSpan(attrs, inner)
	}
	return attrs
}

// SlogHandler is a slog.Handler that adds to each record what the grpcobs stack put in the
// record's context: inside a call logged by a Server or a Client (on either backend), the
// fields of SlogFromContext's logger (grpc.component, grpc.service, grpc.method, trace_id,
// span_id, and those added with AddFields); elsewhere, trace_id and span_id of the context's
// span when it is valid. So handlers that log with slog.InfoContext(ctx, …) get the call's
// fields with no grpcobs logger:
//
//	slog.SetDefault(slog.New(logging.NewSlogHandler(slog.NewJSONHandler(os.Stdout, nil))))
//
// Records logged without a context (slog.Info) get nothing. The attributes are added to the
// record, so under a logger's WithGroup they are in that group, as every attribute of the
// record is. NewSlogServer and NewSlogClient given a logger with a SlogHandler log through the
// handler it wraps, since their lines carry those fields already.
type SlogHandler struct {
	next slog.Handler
}

// NewSlogHandler returns a SlogHandler that hands records to next, with the context's fields
// added. A nil next is slog.Default()'s handler, as it is when NewSlogHandler is called.
func NewSlogHandler(next slog.Handler) *SlogHandler {
	if next == nil {
		next = slog.Default().Handler()
	}
	if h, ok := next.(*SlogHandler); ok {
		return h
	}
	return &SlogHandler{next: next}
}

// Enabled reports whether the handler it wraps handles records at level.
func (h *SlogHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle adds the context's fields to a copy of r and hands it on.
func (h *SlogHandler) Handle(ctx context.Context, r slog.Record) error {
	if attrs := contextAttrs(ctx); len(attrs) > 0 {
		r = r.Clone()
		r.AddAttrs(attrs...)
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a SlogHandler around the wrapped handler with attrs.
func (h *SlogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &SlogHandler{next: h.next.WithAttrs(attrs)}
}

// WithGroup returns a SlogHandler around the wrapped handler with the group.
func (h *SlogHandler) WithGroup(name string) slog.Handler {
	return &SlogHandler{next: h.next.WithGroup(name)}
}

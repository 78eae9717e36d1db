package logging

import (
	"context"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
)

// callKey is the context key of the call a Server or Client is logging.
type callKey struct{}

// A call is the context handed on to the rest of the chain and the handler: its parent's,
// with the call under callKey.
var _ context.Context = (*call)(nil)

func (c *call) Deadline() (time.Time, bool) { return c.parent.Deadline() }
func (c *call) Done() <-chan struct{}       { return c.parent.Done() }
func (c *call) Err() error                  { return c.parent.Err() }

// Value returns the call for callKey, and the parent's value of any other key.
func (c *call) Value(key any) any {
	if key == (callKey{}) {
		return c
	}
	return c.parent.Value(key)
}

// String describes the context as the standard library's do, without reading the call's
// fields (which other goroutines may be writing).
func (c *call) String() string {
	if s, ok := c.parent.(fmt.Stringer); ok {
		return s.String() + ".WithValue(logging call)"
	}
	return fmt.Sprintf("%T.WithValue(logging call)", c.parent)
}

// Format prints the call as String does with every verb (%q quoted), so that no verb (%#v,
// %d) makes fmt walk the call's fields.
func (c *call) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = fmt.Fprintf(f, "%q", c.String())
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// ctx is the call as the context its lines are logged with.
func (c *call) ctx() context.Context { return c }

func callFrom(ctx context.Context) *call {
	if ctx == nil {
		return nil
	}
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// FromContext returns the request-scoped logger of the call ctx belongs to: an entry of the
// call's logger carrying grpc.component, grpc.service, grpc.method, trace_id and span_id (when
// the span context is valid) and the fields added with AddFields, whose Context is the call's,
// so that logrus hooks see the span. Lines logged through it correlate with the call's line.
//
// The entry is built on first use and shared by every caller for the same call, so treat it as
// read-only: derive from it (WithField, WithError) rather than changing its Data. When ctx
// carries a span started inside the handler, the entry carries that span's ids and ctx
// instead.
//
// Outside a logged call it returns an entry of logrus.StandardLogger() with ctx and, when ctx
// carries a valid span context, trace_id and span_id. It never returns nil.
func FromContext(ctx context.Context) *logrus.Entry {
	c := callFrom(ctx)
	if c == nil {
		entry := logrus.NewEntry(logrus.StandardLogger())
		if ctx != nil {
			entry.Context = ctx
			addTraceFields(logrusFields(entry.Data), trace.SpanContextFromContext(ctx))
		}
		return entry
	}
	entry, span := c.scopedEntry()
	if inner := trace.SpanContextFromContext(ctx); inner.IsValid() && !inner.Equal(span) {
		entry = entry.WithFields(logrus.Fields{
			FieldTraceID: inner.TraceID().String(),
			FieldSpanID:  inner.SpanID().String(),
		})
		entry.Context = ctx
	}
	return entry
}

// AddFields adds fields to the call ctx belongs to: to its remaining lines, the finish line
// among them, and to what FromContext, SlogFromContext and SlogHandler give from now on, on
// either backend. A field named like one of the call's own (FieldService, FieldTraceID, …) does
// not replace it. Outside a logged call, AddFields does nothing. It is safe for concurrent use.
func AddFields(ctx context.Context, fields logrus.Fields) {
	c := callFrom(ctx)
	if c == nil || len(fields) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	added := make(logrus.Fields, len(c.added)+len(fields))
	maps.Copy(added, c.added)
	maps.Copy(added, fields)
	c.added = added
	c.scoped, c.slogScope = nil, nil
}

// scopedEntry returns the call's request-scoped entry, building it on first use, and the span
// context it carries.
func (c *call) scopedEntry() (*logrus.Entry, trace.SpanContext) {
	span := trace.SpanContextFromContext(c.ctx()) // the call's: its context never changes
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.scoped == nil {
		data := make(logrus.Fields, len(c.log.baseFields)+len(c.added)+5)
		maps.Copy(data, c.log.baseFields)
		maps.Copy(data, c.added)
		data[FieldComponent] = c.log.component
		data[FieldService] = c.service
		data[FieldMethod] = c.method
		addTraceFields(logrusFields(data), span)
		c.scoped = &logrus.Entry{Logger: c.log.logger, Data: data, Context: c.ctx()}
	}
	return c.scoped, span
}

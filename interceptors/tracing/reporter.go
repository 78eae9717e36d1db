package tracing

import (
	"errors"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/status"
)

// reporter ends one call's span. The grpcobs core calls PostMsgSend and PostMsgReceive from at
// most one goroutine each (a stream may send and receive concurrently), and PostCall after
// both, once: each counter belongs to one of them.
type reporter struct {
	core     *core
	span     trace.Span
	sent     int
	received int
}

var _ interceptors.Reporter = (*reporter)(nil)

// PostMsgSend records a message event for a message sent without error, when enabled.
func (r *reporter) PostMsgSend(msg any, err error, _ time.Duration) {
	if err == nil && r.core.messageEvents {
		r.sent++
		addMessageEvent(r.span, messageSent, r.sent, msg)
	}
}

// PostMsgReceive records a message event for a message received without error, when enabled.
func (r *reporter) PostMsgReceive(msg any, err error, _ time.Duration) {
	if err == nil && r.core.messageEvents {
		r.received++
		addMessageEvent(r.span, messageReceived, r.received, msg)
	}
}

// PostCall ends the span with the call's code, and an Error status with the status message
// when the shared status policy calls the code an error. A handler panic adds an exception
// event with the panic value and its stack.
func (r *reporter) PostCall(err error, _ time.Duration) {
	code := interceptors.Code(err)
	r.span.SetAttributes(r.core.statusAttributes(code)...)
	if interceptors.IsError(r.core.isClient, code) {
		r.span.SetStatus(otelcodes.Error, status.Convert(err).Message())
	}
	if err != nil {
		recordPanic(r.span, err)
	}
	r.span.End()
}

// recordPanic adds the exception event of a handler panic, if err is one. It is apart from
// PostCall so that the error target escapes to the heap only on failed calls.
func recordPanic(span trace.Span, err error) {
	var panicked *interceptors.PanicError
	if errors.As(err, &panicked) {
		addPanicEvent(span, panicked)
	}
}

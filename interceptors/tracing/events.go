package tracing

import (
	"fmt"
	"reflect"

	"github.com/grpcobs/grpcobs/interceptors"
	"go.opentelemetry.io/otel/attribute"
	semconvlegacy "go.opentelemetry.io/otel/semconv/v1.37.0"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"
)

// messageEventName is the event WithMessageEvents records. The RPC semantic conventions
// defined it, with its attributes, up to v1.39.0 and deprecated it since (span events are on
// their way out); v1.37.0 is the newest release the otel module still ships it in that this
// package already uses. Trace backends still show it as before.
const messageEventName = "rpc.message"

var (
	messageSent     = semconvlegacy.RPCMessageTypeSent
	messageReceived = semconvlegacy.RPCMessageTypeReceived
)

// addMessageEvent records the seq-th message of a direction, with its uncompressed size when
// it is a protobuf message.
func addMessageEvent(span trace.Span, direction attribute.KeyValue, seq int, msg any) {
	if m, ok := msg.(proto.Message); ok {
		span.AddEvent(messageEventName, trace.WithAttributes(
			direction,
			semconvlegacy.RPCMessageID(seq),
			semconvlegacy.RPCMessageUncompressedSize(proto.Size(m)),
		))
		return
	}
	span.AddEvent(messageEventName, trace.WithAttributes(direction, semconvlegacy.RPCMessageID(seq)))
}

// addPanicEvent records a handler panic as an exception event: the panic value's type and
// text, and the stack of the goroutine that panicked.
func addPanicEvent(span trace.Span, p *interceptors.PanicError) {
	typ := "<nil>"
	if t := reflect.TypeOf(p.Value); t != nil {
		typ = t.String()
	}
	span.AddEvent(semconv.ExceptionEventName, trace.WithAttributes(
		semconv.ExceptionType(typ),
		semconv.ExceptionMessage(fmt.Sprint(p.Value)),
		semconv.ExceptionStacktrace(string(p.Stack)),
	))
}

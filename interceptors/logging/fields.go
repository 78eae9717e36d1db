package logging

import (
	"encoding/hex"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
)

// The keys of the fields a call's lines carry. The error is under logrus.ErrorKey ("error").
const (
	// FieldComponent is "server" or "client".
	FieldComponent = "grpc.component"
	// FieldService is the full service name, for example "grpcobs.demo.v1.DemoService".
	FieldService = "grpc.service"
	// FieldMethod is the method name, for example "Echo".
	FieldMethod = "grpc.method"
	// FieldMethodType is unary, client_stream, server_stream or bidi_stream.
	FieldMethodType = "grpc.method_type"
	// FieldCode is the code's name as grpc-go spells it ("OK", "NotFound", "DeadlineExceeded"),
	// as go-grpc-middleware logs it. Finish lines only.
	FieldCode = "grpc.code"
	// FieldTimeMS is the call's duration in milliseconds, a float64 with nanosecond
	// resolution. Finish lines only.
	FieldTimeMS = "grpc.time_ms"
	// FieldAttempts is how many attempts grpc-go made of a client call, when more than one
	// (a retry policy, or a transparent retry), as an int. Finish lines of clients whose stack
	// records attempts only (tracing.WithAttemptSpans, metrics.WithAttempts).
	FieldAttempts = "grpc.attempts"
	// FieldAttemptCodes are the codes of the call's failed attempts, in order, as FieldCode
	// spells them, a []string (["Unavailable"]); the last attempt's is there too when it
	// failed. Next to FieldAttempts, on the same lines.
	FieldAttemptCodes = "grpc.attempt_codes"
	// FieldPeerAddress is the address of the client that called. Servers only.
	FieldPeerAddress = "peer.address"
	// FieldTraceID is the hex trace id of the call's span, when the span context is valid
	// (sampled or not).
	FieldTraceID = "trace_id"
	// FieldSpanID is the hex id of the call's span: the server span on a server, the client
	// span on a client.
	FieldSpanID = "span_id"
	// FieldDeadline is the call's deadline (RFC 3339, nanoseconds), when it has one.
	FieldDeadline = "grpc.request.deadline"
	// FieldPanicStack is the stack of a handler panic. Finish lines only.
	FieldPanicStack = "grpc.panic_stack"
	// FieldRequestContent is a request message (WithPayloads).
	FieldRequestContent = "grpc.request.content"
	// FieldResponseContent is a response message (WithPayloads).
	FieldResponseContent = "grpc.response.content"
	// BaggageFieldPrefix starts the key of each logged baggage member (WithBaggageFields).
	BaggageFieldPrefix = "baggage."
	// MetadataFieldPrefix starts the key of each logged metadata key (WithMetadataFields).
	MetadataFieldPrefix = "grpc.request.metadata."
)

// The messages of the lines.
const (
	msgStarted          = "started call"
	msgFinished         = "finished call"
	msgRequestReceived  = "request received"
	msgResponseSent     = "response sent"
	msgRequestSent      = "request sent"
	msgResponseReceived = "response received"
)

// Field values boxed once: storing a string in a logrus.Fields boxes it, and these are on
// every line.
var (
	serverValue       any = "server"
	clientValue       any = "client"
	unaryValue        any = string(interceptors.Unary)
	clientStreamValue any = string(interceptors.ClientStream)
	serverStreamValue any = string(interceptors.ServerStream)
	bidiStreamValue   any = string(interceptors.BidiStream)
	codeValues            = func() (v [codes.Unauthenticated + 1]any) {
		for c := range v {
			v[c] = codes.Code(c).String()
		}
		return v
	}()
)

func typeValue(t interceptors.GRPCType) any {
	switch t {
	case interceptors.Unary:
		return unaryValue
	case interceptors.ClientStream:
		return clientStreamValue
	case interceptors.ServerStream:
		return serverStreamValue
	case interceptors.BidiStream:
		return bidiStreamValue
	default:
		return string(t)
	}
}

func codeValue(c codes.Code) any {
	if int(c) < len(codeValues) {
		return codeValues[c]
	}
	return c.String()
}

// line is what one log line adds to the call's fields.
type line struct {
	start      bool // the start line
	finished   bool
	code       codes.Code
	err        error
	duration   time.Duration
	contentKey string // for a stream message's line: its field,
	content    any    // and the message, rendered only when the line is logged
}

// fields sets the fields of one line of the call in f: those of the call, then those of the
// line. Fields added with AddFields are the backend's to add (see write and writeSlog), so that
// the call's own fields win a clash on both.
func (c *call) fields(f fieldSink, ln *line) {
	c.log.methodFields(f, c.service, c.method, c.typ)
	c.lineFields(f, ln)
}

// methodFields sets the fields every line of a method's calls carries, first, in f.
func (l *callLogger) methodFields(f fieldSink, service, method string, typ interceptors.GRPCType) {
	if l.opts.mwFields {
		f.set(mwFieldProtocol, mwProtocolValue)
	}
	f.set(FieldComponent, l.component)
	f.setString(FieldService, service)
	f.setString(FieldMethod, method)
	f.set(FieldMethodType, typeValue(typ))
}

// lineFields sets the fields of one line of the call after its method's (methodFields).
func (c *call) lineFields(f fieldSink, ln *line) {
	l := c.log
	ctx := c.ctx()
	mw := l.opts.mwFields
	if !l.isClient {
		if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
			f.set(FieldPeerAddress, l.peers.text(p.Addr))
		}
	}
	addTraceFields(f, trace.SpanContextFromContext(ctx))
	if mw {
		f.set(mwFieldStartTime, time.Unix(0, c.startNano).Format(time.RFC3339))
	}
	if deadline, ok := ctx.Deadline(); ok {
		layout := time.RFC3339Nano
		if mw {
			layout = time.RFC3339
		}
		f.set(FieldDeadline, deadline.Format(layout))
	}
	l.addBaggage(f, ctx)
	l.addMetadata(f, ctx)
	if p := c.payloads; p != nil {
		if p.request != nil {
			f.set(FieldRequestContent, p.request)
		}
		if p.response != nil {
			f.set(FieldResponseContent, p.response)
		}
	}
	if ln.content != nil {
		f.set(ln.contentKey, l.opts.render(ln.content))
	}
	if mw && ln.start {
		f.set(FieldTimeMS, mwTimeMS(time.Since(time.Unix(0, c.startNano))))
	}
	if ln.finished {
		f.set(FieldCode, codeValue(ln.code))
		if mw {
			f.set(FieldTimeMS, mwTimeMS(ln.duration))
		} else {
			f.setFloat(FieldTimeMS, float64(ln.duration)/float64(time.Millisecond))
		}
		c.addAttempts(f)
		if err := ln.err; err != nil {
			if p := panicOf(err); p != nil {
				// "panic: value" and the stack apart, whichever recovery made the error.
				err = p
				f.set(FieldPanicStack, string(p.Stack))
			}
			if mw {
				f.set(mwFieldError, errorField(err).Error())
			} else {
				f.set(logrus.ErrorKey, errorField(err))
			}
		}
	}
}

// addAttempts adds how many attempts the call took, and the codes of those that failed, when
// the stack recorded more than one.
func (c *call) addAttempts(f fieldSink) {
	if c.attempts == nil {
		return
	}
	count, failed := c.attempts.Attempts()
	if count <= 1 {
		return
	}
	f.set(FieldAttempts, count)
	names := make([]string, len(failed))
	for i, code := range failed {
		names[i] = code.String()
	}
	f.set(FieldAttemptCodes, names)
}

// panicOf returns the handler panic err reports, if it does: a grpcobs *PanicError, or
// go-grpc-middleware's recovery error (see interceptors.PanicOf).
func panicOf(err error) *interceptors.PanicError {
	p, _ := interceptors.PanicOf(err)
	return p
}

// addTraceFields adds the ids of a valid span context, as hex, from one allocation.
func addTraceFields(f fieldSink, span trace.SpanContext) {
	if !span.IsValid() {
		return
	}
	traceID, spanID := span.TraceID(), span.SpanID()
	var ids [2*len(traceID) + 2*len(spanID)]byte
	hex.Encode(ids[:2*len(traceID)], traceID[:])
	hex.Encode(ids[2*len(traceID):], spanID[:])
	s := string(ids[:])
	f.setString(FieldTraceID, s[:2*len(traceID)])
	f.setString(FieldSpanID, s[2*len(traceID):])
}

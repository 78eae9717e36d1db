package tracing

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/status"
)

// side is what a Server or a Client is (signal.Side).
type side = signal.Side[*core]

func newSide(opts []Option, isClient bool) *side {
	c := newCore(opts, isClient)
	start := c.startServer
	if isClient {
		start = c.startClient
	}
	return signal.NewSide(c, signal.Sides(c.traits(), start))
}

// traits is what tracing tells the grpcobs stack: it runs first, reads no message durations,
// and follows its status policy.
func (c *core) traits() signal.Traits {
	return signal.Traits{Rank: signal.RankTracing, IgnoresMessageDurations: true, StatusPolicy: c.policy, WantsAttempts: c.attempts}
}

// reporter ends one call's span. The grpcobs core calls PostMsgSend and PostMsgReceive from at
// most one goroutine each (a stream may send and receive concurrently), and PostCall after
// both, once: each counter belongs to one of them.
type reporter struct {
	core  *core
	span  trace.Span
	start time.Time // the stack's start time of the call; zero outside the grpcobs stack
	// attempt starts the call's attempt spans (WithAttemptSpans; see StartAttempt).
	attempt  *attemptMethod
	end      [1]trace.SpanEndOption // End's option, here so that End's argument is no allocation of its own
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
// event with the panic value and its stack, and the status description keeps only the first
// line of the status message, cut to a bound: go-grpc-middleware's default recovery handler
// sends the whole panic text and stack as the message, and the event holds them already. In
// the grpcobs stack the span ends at the stack's start time plus d, the duration every signal
// records.
func (r *reporter) PostCall(err error, d time.Duration) {
	code := interceptors.Code(err)
	r.span.SetAttributes(r.core.statusAttributes(code)...)
	var panicked *interceptors.PanicError
	if err != nil {
		panicked, _ = interceptors.PanicOf(err)
		if panicked != nil {
			addPanicEvent(r.span, panicked)
		}
	}
	if r.core.policy.IsError(r.core.isClient, code) {
		r.span.SetStatus(otelcodes.Error, statusDescription(err, panicked))
	}
	if r.start.IsZero() {
		r.span.End()
		return
	}
	r.end[0] = trace.WithTimestamp(r.start.Add(d))
	r.span.End(r.end[:]...)
}

// maxPanicDescription bounds the status description of a panicked call.
const maxPanicDescription = 256

// statusDescription is the span status description of a failed call: the status message, and
// for a panic only its first line, cut to a bound (the exception event holds the whole of it).
func statusDescription(err error, panicked *interceptors.PanicError) string {
	desc := status.Convert(err).Message()
	if panicked == nil {
		return desc
	}
	if line, _, found := strings.Cut(desc, "\n"); found {
		desc = line
	}
	if len(desc) > maxPanicDescription {
		cut := maxPanicDescription
		for cut > 0 && !utf8.RuneStart(desc[cut]) {
			cut--
		}
		desc = desc[:cut] + "…"
	}
	return desc
}

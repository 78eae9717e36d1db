package otelmetrics

import (
	"context"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"go.opentelemetry.io/otel/trace"
)

// side is what a Server or a Client is (signal.Side).
type side = signal.Side[*core]

func newSide(opts []Option, isClient bool) *side {
	c := newCore(opts, isClient)
	return signal.NewSide(c, signal.Sides(c.traits(), c.start))
}

// traits is what otelmetrics tells the grpcobs stack: it runs after tracing (the SDK's
// exemplars read the span from the context), reads no message durations, follows its status
// policy, and, as an A66 client with WithAttempts, wants each attempt.
func (c *core) traits() signal.Traits {
	return signal.Traits{Rank: signal.RankMeasure, IgnoresMessageDurations: true, StatusPolicy: c.policy, WantsAttempts: c.attempts}
}

// core is everything a Server and a Client do, for either side: the options, resolved once,
// and the per-method cache. Its side is fixed at construction.
type core struct {
	isClient bool
	policy   interceptors.StatusPolicy
	conv     conventions
	meters   *meterSource
	targets  a66Targets
	attempts bool // an A66 client with WithAttempts: it records grpc.client.attempt.*
}

func newCore(opts []Option, isClient bool) *core {
	o := newOptions(opts)
	conv := newConventions(o)
	attempts := o.attempts && isClient && conv&conventionsA66 != 0
	c := &core{isClient: isClient, policy: o.policy, conv: conv, attempts: attempts, meters: newMeterSource(o.meterProvider, conv, isClient, attempts)}
	return c
}

// start begins recording a call (a client's on call.Conn, when known) and returns the Reporter
// that records its end. The context is returned unchanged.
func (c *core) start(ctx context.Context, call signal.Call) (interceptors.Reporter, context.Context) {
	if c == nil {
		// A nil or zero-value Server or Client records nothing.
		return mw.NoopReporter{}, ctx
	}
	m := c.method(call)
	if m.started != nil {
		if in := c.meters.current(); in.started != nil {
			in.started.Add(ctx, 1, m.started...)
		}
	}
	if trace.SpanContextFromContext(ctx).IsSampled() {
		// The SDK's exemplar reservoir finds the span in the context given to Record.
		return &sampledCall{method: m, ctx: ctx}, ctx
	}
	// Nothing per call to keep: the method's entry is the Reporter, and costs no allocation.
	return m, ctx
}

// end records a call of the method that ended with err after d, with ctx's span, if any, as
// the exemplar's.
func (m *method) end(ctx context.Context, err error, d time.Duration) {
	in := m.core.meters.current()
	e := m.endOptions(metricCode(interceptors.Code(err)))
	if in.duration != nil && e.duration != nil {
		in.duration.Record(ctx, d.Seconds(), e.duration...)
	}
	if in.legacy != nil && e.legacy != nil {
		in.legacy.Record(ctx, float64(d)/float64(time.Millisecond), e.legacy...)
	}
}

// PostCall records the call. A method entry is the Reporter of every call of the method whose
// context holds no sampled span.
func (m *method) PostCall(err error, d time.Duration) { m.end(context.Background(), err, d) }

// PostMsgSend ignores messages: the metrics are per call.
func (*method) PostMsgSend(any, error, time.Duration) {}

// PostMsgReceive ignores messages: the metrics are per call.
func (*method) PostMsgReceive(any, error, time.Duration) {}

// sampledCall is the Reporter of a call whose context holds a sampled span: it keeps the
// context, so that the measurement carries the span as its exemplar.
type sampledCall struct {
	*method
	ctx context.Context
}

// PostCall records the call with its context.
func (c *sampledCall) PostCall(err error, d time.Duration) { c.end(c.ctx, err, d) }

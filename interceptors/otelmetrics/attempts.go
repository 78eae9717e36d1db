package otelmetrics

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
)

// A call's Reporter (a method entry, or a sampledCall embedding one) reports its attempts
// too, when the stack asks: an A66 Client with WithAttempts (see core.traits). Each attempt
// gets an attempt of its own, which counts the compressed bytes of its messages and records
// grpc.client.attempt.* as grpc-go's stats/opentelemetry plugin does (client_metrics.go),
// but for the attempts grpc-go made only (an attempt it abandoned before making it is not
// counted: docs/otelmetrics.md): started when the attempt is made, the duration (from its
// creation) and both sizes at stats.End, under grpc.method, grpc.target and grpc.status.
var (
	_ signal.AttemptReporter     = (*method)(nil)
	_ signal.AttemptPayloadEnder = (*attempt)(nil)
)

// attempt is one attempt of a call: its context (the SDK's exemplar reservoir finds the
// call's span there), its start, and the compressed bytes it sent and received so far.
type attempt struct {
	method     *method
	ctx        context.Context
	start      time.Time
	sent, rcvd atomic.Int64
}

// StartAttempt follows one attempt of a call of the method, started at start; ctx is
// returned as it is.
func (m *method) StartAttempt(ctx context.Context, start time.Time) (signal.AttemptEnder, context.Context) {
	return &attempt{method: m, ctx: ctx, start: start}, ctx
}

// AttemptMade counts the attempt in grpc.client.attempt.started.
func (a *attempt) AttemptMade(int, bool) {
	if a.method.attemptStarted == nil {
		return
	}
	if in := a.method.core.meters.current(); in.attemptStarted != nil {
		in.attemptStarted.Add(a.ctx, 1, a.method.attemptStarted...)
	}
}

// AttemptPayload adds one message's compressed size to the attempt's sent or received bytes.
func (a *attempt) AttemptPayload(sent bool, compressedLength int) {
	if sent {
		a.sent.Add(int64(compressedLength))
	} else {
		a.rcvd.Add(int64(compressedLength))
	}
}

// AttemptEnded records the attempt's duration, from its start to end, and the bytes it sent
// and received, under its code.
func (a *attempt) AttemptEnded(err error, end time.Time) {
	m := a.method
	if m.attemptStarted == nil {
		return
	}
	in := m.core.meters.current()
	e := m.endOptions(metricCode(interceptors.Code(err)))
	if e.duration == nil {
		return
	}
	if in.attemptDuration != nil {
		in.attemptDuration.Record(a.ctx, end.Sub(a.start).Seconds(), e.duration...)
	}
	if in.attemptSent != nil {
		in.attemptSent.Record(a.ctx, a.sent.Load(), e.duration...)
	}
	if in.attemptRcvd != nil {
		in.attemptRcvd.Record(a.ctx, a.rcvd.Load(), e.duration...)
	}
}

// AttemptAbandoned records nothing: grpc-go never made the attempt.
func (*attempt) AttemptAbandoned(time.Time) {}

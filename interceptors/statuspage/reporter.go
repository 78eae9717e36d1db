package statuspage

import (
	"context"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"go.opentelemetry.io/otel/trace"
)

// A call is reported by its method's methodStats itself when there is nothing of its own to
// keep (a known method, no span): then reporting it allocates nothing. Otherwise by a
// callReporter, which holds what the recent-calls lists need to show it.
var (
	_ interceptors.Reporter = (*methodStats)(nil)
	_ interceptors.Reporter = (*callReporter)(nil)
)

// callRecord is what a call brings to the recent-calls lists beyond its method's stats.
type callRecord struct {
	// service and method are the names the caller used, kept for calls counted under other.
	service, method string
	traceID         trace.TraceID
	sampled         bool
	hasTrace        bool
}

type callReporter struct {
	stats  *methodStats
	record callRecord
}

// start counts a call in flight from call.Start (the stack's clock reading; the page's own
// when zero) and returns its Reporter; the context is returned unchanged.
func (sd *side) start(ctx context.Context, call signal.Call) (interceptors.Reporter, context.Context) {
	meta, start := call.Meta, call.Start
	if start.IsZero() {
		start = sd.now()
	}
	stats, known := sd.methods.statsFor(meta.Typ, meta.Service, meta.Method, call.Known)
	stats.begin(start)
	sc := trace.SpanContextFromContext(ctx)
	if known && !sc.IsValid() {
		return stats, ctx
	}
	r := &callReporter{stats: stats}
	if !known {
		r.record.service, r.record.method = meta.Service, meta.Method
	}
	if sc.IsValid() {
		r.record.traceID, r.record.sampled, r.record.hasTrace = sc.TraceID(), sc.IsSampled(), true
	}
	return r, ctx
}

// PostCall records the end of a call of a known method that has no span.
func (s *methodStats) PostCall(err error, d time.Duration) {
	s.finish(nil, err, d)
}

// PostMsgSend does nothing: the page counts calls, not messages.
func (*methodStats) PostMsgSend(any, error, time.Duration) {}

// PostMsgReceive does nothing: the page counts calls, not messages.
func (*methodStats) PostMsgReceive(any, error, time.Duration) {}

// PostCall records the end of the call.
func (r *callReporter) PostCall(err error, d time.Duration) {
	r.stats.finish(&r.record, err, d)
}

// PostMsgSend does nothing: the page counts calls, not messages.
func (*callReporter) PostMsgSend(any, error, time.Duration) {}

// PostMsgReceive does nothing: the page counts calls, not messages.
func (*callReporter) PostMsgReceive(any, error, time.Duration) {}

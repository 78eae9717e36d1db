package metrics

import (
	"context"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/prometheus/client_golang/prometheus"
)

// core is everything ServerMetrics and ClientMetrics do, for either side: they differ only in
// their metric names and help texts, and in that a server can be given to InitializeMetrics.
type core struct {
	vecs    *vectors
	methods *methodTable
}

func newCore(s side, opts []Option) *core {
	o := newOptions(opts)
	v := newVectors(s, o)
	return &core{vecs: v, methods: newMethodTable(v, newExemplarSampler(o))}
}

// start counts a call in and returns its Reporter; the context is returned unchanged. A known
// method (signal.Call.Known) has series of its own; every other call is counted as other.
func (c *core) start(ctx context.Context, call signal.Call) (interceptors.Reporter, context.Context) {
	if c == nil {
		// A nil or zero-value ServerMetrics or ClientMetrics records nothing.
		return mw.NoopReporter{}, ctx
	}
	meta := call.Meta
	s := c.methods.seriesFor(meta.Typ, meta.Service, meta.Method, call.Known)
	s.begin()
	return reporterFor(ctx, s), ctx
}

func (c *core) describe(ch chan<- *prometheus.Desc) {
	if c != nil {
		c.vecs.describe(ch)
	}
}

func (c *core) collect(ch chan<- prometheus.Metric) {
	if c != nil {
		c.vecs.collect(ch)
	}
}

// startAlone is start outside a grpcobs stack: the declared methods and those registered on
// the servers given to InitializeMetrics are known.
func (c *core) startAlone(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	if c == nil {
		return mw.NoopReporter{}, ctx
	}
	return c.start(ctx, signal.Call{Meta: meta, Known: c.methods.servers.Known(meta.Service, meta.Method)})
}

// signalSide is what ServerMetrics and ClientMetrics are (signal.Side).
type signalSide = signal.Side[*core]

// newSide returns the metrics of one side: they run after tracing (exemplars read the span),
// count attempts with WithAttempts, and read no message durations unless a per-message
// histogram is on.
func newSide(s side, opts []Option) *signalSide {
	c := newCore(s, opts)
	t := signal.Traits{Rank: signal.RankMeasure, IgnoresMessageDurations: c.vecs.msgSend == nil && c.vecs.msgRecv == nil, WantsAttempts: c.vecs.attempts != nil}
	h := signal.Sides(t, c.start)
	h.UseKnown = c.methods.useKnown
	return signal.NewSide(c, h)
}

package metrics

import (
	"context"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/knownmethods"
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
	known := knownmethods.New(o.knownMethods, o.firstSeenMethods)
	return &core{vecs: v, methods: newMethodTable(v, newExemplarSampler(o), known)}
}

// start counts a call in and returns its Reporter; the context is returned unchanged. A
// server call that reached a method registered on the server (signal.Call.Registered) has
// series of its own whatever the known-method set says.
func (c *core) start(ctx context.Context, call signal.Call) (interceptors.Reporter, context.Context) {
	if c == nil {
		// A nil or zero-value ServerMetrics or ClientMetrics records nothing.
		return mw.NoopReporter{}, ctx
	}
	meta := call.Meta
	s := c.methods.seriesFor(meta.Typ, meta.Service, meta.Method, call.Registered)
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

// hooks carries the signal's hooks for the grpcobs stack, out of its types' method sets.
type hooks = signal.Embed

// newHooks returns c's hooks, for either side: metrics runs after tracing (exemplars read the
// span), counts attempts with WithAttempts, and reads no message durations unless a
// per-message histogram is on.
func newHooks(c *core) hooks {
	t := signal.Traits{Rank: signal.RankMeasure, IgnoresMessageDurations: c.vecs.msgSend == nil && c.vecs.msgRecv == nil, WantsAttempts: c.vecs.attempts != nil}
	return signal.NewEmbed(signal.Hooks{Traits: t, Server: c.start, Client: c.start})
}

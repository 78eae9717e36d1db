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

// reporter counts a call in and returns its Reporter. The context is returned unchanged.
// reporter counts a call in; registered says a server call reached a method registered on
// the server (signal.Call.Registered), which then has series of its own whatever the
// known-method set says.
func (c *core) reporter(ctx context.Context, meta interceptors.CallMeta, registered bool) (interceptors.Reporter, context.Context) {
	if c == nil {
		// A nil or zero-value ServerMetrics or ClientMetrics records nothing.
		return mw.NoopReporter{}, ctx
	}
	s := c.methods.seriesFor(meta.Typ, meta.Service, meta.Method, registered)
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

// traits is what metrics tells the grpcobs stack: it runs after tracing (exemplars read the
// span), and reads no message durations.
var traits = signal.Traits{Rank: signal.RankMeasure, IgnoresMessageDurations: true}

package metrics

import (
	"context"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/prometheus/client_golang/prometheus"
)

// core is everything ServerMetrics and ClientMetrics do, for either side: they differ only in
// their metric names and help texts, and in how a method becomes known (see methodTable).
type core struct {
	vecs    *vectors
	methods *methodTable
}

func newCore(s side, opts []Option) *core {
	o := newOptions(opts)
	v := newVectors(s, o)
	return &core{vecs: v, methods: newMethodTable(v, newExemplarSampler(o))}
}

// reporter counts a call in and returns its Reporter. The context is returned unchanged.
func (c *core) reporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	if c == nil {
		// A nil or zero-value ServerMetrics or ClientMetrics records nothing.
		return mw.NoopReporter{}, ctx
	}
	s := c.methods.seriesFor(meta.Typ, meta.Service, meta.Method)
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

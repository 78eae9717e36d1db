package statuspage

import (
	"context"
	"sync"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
)

// Page is a live status page for the people who run a service: the calls its server handles
// and its clients make, per method, the last failed calls and the slowest ones, and, with
// WithHealth, its health. It is a reportable for both sides of the grpcobs stack (pass the
// same Page to interceptors.ServerOptions and interceptors.DialOptions), and an http.Handler
// that serves the page (see ServeHTTP).
//
// It keeps a fixed amount of memory per known method and side, and fixed-size lists of recent
// calls. Calls to methods that generated code linked into the program does not declare are
// counted in one row, "other", so callers cannot grow it.
type Page struct {
	hooks
	opts   options
	begun  time.Time
	server *side
	client *side
	health *healthHistory // nil without WithHealth
	// resolver resolves the calls made outside a grpcobs stack (ServerReporter,
	// ClientReporter), where the declared methods are known.
	resolver *signal.Resolver

	stop    context.CancelFunc
	polling sync.WaitGroup
}

// side is what the page knows of one side's calls.
type side struct {
	isClient bool
	policy   interceptors.StatusPolicy
	now      func() time.Time
	methods  *methodTable
	recent   *recentCalls
}

func newSide(isClient bool, o options) *side {
	s := &side{isClient: isClient, policy: o.policy, now: o.now, recent: newRecentCalls(o.recentCalls)}
	s.methods = newMethodTable(s)
	return s
}

var (
	_ interceptors.ServerReportable = (*Page)(nil)
	_ interceptors.ClientReportable = (*Page)(nil)
)

// hooks carries the page's hooks for the grpcobs stack, out of its method set.
type hooks = signal.Embed

// New returns a page. It fails when an option is given a value it cannot use, naming the
// option. With WithHealth, it starts reading the health report in the background: call Close
// when done.
func New(opts ...Option) (*Page, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	p := &Page{opts: o, begun: o.now(), server: newSide(false, o), client: newSide(true, o), resolver: signal.NewResolver(nil, 1)}
	// The page runs with the measuring signals, after tracing, so that it finds the call's
	// trace id; it reads no message durations.
	traits := signal.Traits{Rank: signal.RankMeasure, IgnoresMessageDurations: true, StatusPolicy: o.policy}
	p.hooks = signal.NewEmbed(signal.Hooks{Traits: traits, Server: p.server.start, Client: p.client.start})
	if o.health != nil {
		p.health = newHealthHistory(o.health, o.healthTimeline, o.now)
		ctx, stop := context.WithCancel(context.Background())
		p.stop = stop
		p.polling.Add(1)
		go func() {
			defer p.polling.Done()
			p.health.poll(ctx, o.healthPoll)
		}()
	}
	return p, nil
}

// Close stops reading the health report; the page still serves what it has. It is safe to
// call more than once, and on a nil Page.
func (p *Page) Close() {
	if p == nil || p.stop == nil {
		return
	}
	p.stop()
	p.polling.Wait()
}

// alone is the Call of a call made outside a grpcobs stack.
func (p *Page) alone(meta interceptors.CallMeta) signal.Call {
	m, known := p.resolver.Resolve(meta, nil, false)
	return signal.Call{Meta: meta, Known: known, Method: m}
}

// ServerReporter starts recording a server call. The context is returned unchanged.
func (p *Page) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	if p == nil || p.server == nil {
		return mw.NoopReporter{}, ctx
	}
	return p.server.start(ctx, p.alone(meta))
}

// ClientReporter starts recording a client call. The context is returned unchanged.
func (p *Page) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	if p == nil || p.client == nil {
		return mw.NoopReporter{}, ctx
	}
	return p.client.start(ctx, p.alone(meta))
}

// Package signal is the private contract between the grpcobs stack (package interceptors) and
// grpcobs' own signals (tracing, metrics, logging, …). Its types live in an internal package
// so that only grpcobs' packages can implement the interfaces: they are performance and
// ordering hooks, not an extension point. Any other reportable is driven through
// go-grpc-middleware's public Reporter contract alone.
package signal

import (
	"context"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/knownmethods"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// Rank is where a grpcobs signal runs in a stack: lower ranks start first and see the call end
// last. The stack orders grpcobs' signals by rank whatever order they were passed in.
type Rank int

const (
	// RankTracing comes first: it puts the span and the extracted baggage into the context.
	RankTracing Rank = iota + 1
	// RankMeasure is for the signals that read the span (exemplars, trace ids).
	RankMeasure
	// RankLogging comes last: its fields read the span and the baggage.
	RankLogging
)

// Traits is what a grpcobs signal tells the stack about itself.
type Traits struct {
	// Rank orders the signal among grpcobs' signals.
	Rank Rank
	// IgnoresMessageDurations says the signal's reporters ignore the durations given to
	// PostMsgSend and PostMsgReceive. When every reportable of a stack says so, the stack does
	// not read the clock around each message.
	IgnoresMessageDurations bool
	// StatusPolicy is the interceptors.StatusPolicy the signal follows, or nil for a signal
	// that does not tell errors apart. The stack refuses signals of one side that follow
	// different policies.
	StatusPolicy any
	// WantsAttempts says the signal reports each attempt of a client call (its reporters
	// implement AttemptReporter). When a signal of a client stack says so, DialOptions also
	// installs the stack's stats handler, which sees grpc-go's attempts; otherwise no attempt
	// is recorded and nothing costs more.
	WantsAttempts bool
}

// StartFunc starts a grpcobs signal's reporting of a call: the stack calls it instead of the
// signal's public ServerReporter or ClientReporter, with everything it knows of the call.
type StartFunc func(ctx context.Context, call Call) (mw.Reporter, context.Context)

// Hooks is what the stack calls on a grpcobs signal: its traits, and how it starts a call on
// each side it has. The stack calls the signal's public ServerReporter or ClientReporter for
// a side whose StartFunc is nil.
type Hooks struct {
	Traits Traits
	Server StartFunc
	Client StartFunc
	// UseKnown, when set, is given the known-method set of each stack the signal is put in,
	// when the stack is built (metrics.InitializeMetrics adds a server's methods to it).
	UseKnown func(*knownmethods.Set)
}

// Embed carries a signal's Hooks out of its exported method set: a signal type embeds it
// under an unexported name (type hooks = signal.Embed), so that its promoted method, being
// unexported, satisfies Signal without showing in the type's documentation.
type Embed struct{ hooks Hooks }

// Apply returns defaults with every non-nil option of a signal applied in order.
func Apply[O any, F ~func(*O)](defaults O, opts []F) O {
	for _, opt := range opts {
		if opt != nil {
			opt(&defaults)
		}
	}
	return defaults
}

// Sides returns the Hooks of a signal that starts a call the same way on either side.
func Sides(t Traits, start StartFunc) Hooks {
	return Hooks{Traits: t, Server: start, Client: start}
}

// NewEmbed returns the Embed of h.
func NewEmbed(h Hooks) Embed { return Embed{hooks: h} }

func (e Embed) signalHooks() Hooks { return e.hooks }

// Side is the one shape of a grpcobs signal's Server and Client: the hooks and the signal's
// core C. A signal package declares type side = signal.Side[*core] and each of its types as
// type Server side: a defined type, so Side's methods stay out of its method set while the
// hooks' unexported one is promoted. A nil or zero Side records nothing.
type Side[C any] struct {
	embed
	core  C
	alone *Resolver // resolves the calls made outside a stack
}

type embed = Embed

// NewSide returns the Side of core, with hooks h.
func NewSide[C any](core C, h Hooks) *Side[C] {
	return &Side[C]{embed: NewEmbed(h), core: core, alone: NewResolver(nil, 1)}
}

// Core returns the core, or its zero value for a nil Side.
func (s *Side[C]) Core() (c C) {
	if s != nil {
		c = s.core
	}
	return c
}

// Report is the signal's public ServerReporter (isClient false) or ClientReporter: the call as
// seen outside a grpcobs stack, where only the methods declared by generated code linked into
// the program are known, started as the stack would start it.
func (s *Side[C]) Report(ctx context.Context, meta mw.CallMeta, isClient bool) (mw.Reporter, context.Context) {
	var start StartFunc
	if s != nil {
		start = s.hooks.Server
		if isClient {
			start = s.hooks.Client
		}
	}
	if start == nil {
		return mw.NoopReporter{}, ctx
	}
	m, known := s.alone.Resolve(meta, nil, false)
	return start(ctx, Call{Meta: meta, Known: known, Method: m})
}

// Signal is implemented by grpcobs' own reportables, through Embed.
type Signal interface{ signalHooks() Hooks }

// Of returns r's hooks, and false when r is no grpcobs signal.
func Of(r any) (Hooks, bool) {
	s, ok := r.(Signal)
	if !ok {
		return Hooks{}, false
	}
	return s.signalHooks(), true
}

// Call is what the stack knows of a call when it starts its reporting: more than CallMeta.
type Call struct {
	// Meta describes the call.
	Meta mw.CallMeta
	// Start is the stack's one clock reading for the call's start; the duration given to
	// PostCall is measured from it.
	Start time.Time
	// Conn is the client connection a client call goes out on; nil on servers.
	Conn *grpc.ClientConn
	// Known is the stack's one verdict on the call's method, for every signal: a method
	// registered on the server the call reached (a unary call always is; a stream call unless
	// the server's unknown-service handler took it), or one the stack's known-method set knows
	// (interceptors.WithKnownMethods). A signal names a known method; it folds every other
	// one into its bounded "other" value.
	Known bool
	// Method is the call's method as the stack resolved it, and Slot the index of the signal
	// being started: the signal keeps what it builds once per method in Method's slot Slot.
	Method *Method
	Slot   int
	// Attempts is the record of a client call's attempts, when the stack records them (some
	// signal of the stack wants attempts, and the stack was installed by DialOptions); nil
	// otherwise. It is complete when PostCall runs.
	Attempts AttemptRecord
}

// AttemptRecord is what the stack records of a client call's attempts, for the signals that
// report them at the call's end.
type AttemptRecord interface {
	// Attempts returns how many attempts grpc-go made of the call (those it sent the headers
	// of, or ended; an attempt it abandoned before either is not one: see "Attempt lifecycle"
	// in docs/DESIGN.md), and the codes of those that failed, in the order they ended (the
	// last one included, when it failed).
	Attempts() (count int, failed []codes.Code)
}

// AttemptReporter is implemented by the call Reporter of a grpcobs client signal that wants
// attempts (Traits.WantsAttempts). The stack's stats handler calls StartAttempt when grpc-go
// creates an attempt of the call (stats.Handler.TagRPC), with the attempt's context and the
// time it started. The returned context is the attempt's: grpc-go builds the attempt's
// headers from its outgoing metadata. The returned AttemptEnder is never nil.
type AttemptReporter interface {
	StartAttempt(ctx context.Context, start time.Time) (AttemptEnder, context.Context)
}

// AttemptEnder follows one attempt. Exactly one of two courses runs: AttemptMade once grpc-go
// has made the attempt (sent its headers, or ended it), then AttemptEnded once, with the
// attempt's error and end time (stats.End); or AttemptAbandoned once, when grpc-go replaced
// the attempt before making it, or the call ended while it was still unmade. Each runs under
// the call's lock: never two at once for one call.
type AttemptEnder interface {
	// AttemptMade says grpc-go made the attempt: previous is the grpc-previous-rpc-attempts
	// header it sent (the retries its retry policy made before this attempt in the same
	// grpc-go call; transparent retries do not count), and transparent says the attempt is a
	// transparent retry.
	AttemptMade(previous int, transparent bool)
	AttemptEnded(err error, end time.Time)
	AttemptAbandoned(end time.Time)
}

// AttemptPayloadEnder is implemented by an AttemptEnder that also wants the size on the wire
// of each message of its attempt: the stack's stats handler calls AttemptPayload for each
// stats.OutPayload (sent true) and stats.InPayload (sent false) grpc-go reports for the
// attempt, with the event's CompressedLength (the message after compression, without the
// gRPC frame header). A stream's sends and receives are reported on their own goroutines, so
// AttemptPayload may run concurrently with itself and with AttemptEnded: an ender counts with
// atomics, as grpc-go's stats/opentelemetry plugin does. Enders that do not implement it cost
// nothing per message: the handler looks up no attempt for a payload event until an ender of
// its stack has asked for payloads.
type AttemptPayloadEnder interface {
	AttemptEnder
	AttemptPayload(sent bool, compressedLength int)
}

// IsNoop reports whether rep is the no-op Reporter (go-grpc-middleware's NoopReporter) that
// grpcobs' signals return for a call they do not record (filtered, unsampled). They return it
// rather than nil because go-grpc-middleware's interceptors call whatever Reporter they get;
// the grpcobs stack leaves it out of the call.
func IsNoop(rep mw.Reporter) bool {
	_, ok := rep.(mw.NoopReporter)
	return ok || rep == nil
}

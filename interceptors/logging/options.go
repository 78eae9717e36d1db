package logging

import (
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc/codes"
)

// Option configures NewServer and NewClient. Both take the same options, with the same
// defaults; a nil Option is ignored.
type Option func(*options)

type options struct {
	startLine   bool
	levels      func(codes.Code) logrus.Level // nil: from the status policy
	policy      interceptors.StatusPolicy
	codeLevels  map[codes.Code]logrus.Level
	filters     []filter.Filter
	baggageKeys []string
	mdKeys      []string
	payloads    bool
	redact      Redactor
	mwFields    bool // WithGoGRPCMiddlewareFields
}

var defaultOptions = options{policy: interceptors.DefaultStatusPolicy()}

// newOptions copies the defaults and applies opts to the copy, in order.
func newOptions(opts []Option) options { return signal.Apply(defaultOptions, opts) }

// WithStartLine also logs a "started call" line when each call starts, at the level of
// codes.OK. Default: only the "finished call" line.
func WithStartLine() Option {
	return func(o *options) { o.startLine = true }
}

// WithLevels replaces the function that maps the code a call ended with to the level of its
// line. Per-code levels set with WithCodeLevel take precedence. A nil f is ignored. Default:
// the status policy's level (see PolicyLevel).
func WithLevels(f func(codes.Code) logrus.Level) Option {
	return func(o *options) {
		if f != nil {
			o.levels = f
		}
	}
}

// WithCodeLevel logs calls that end with code at level, whatever the level function says.
// Repeat it for several codes; for the same code, the last one wins. Default: none.
func WithCodeLevel(code codes.Code, level logrus.Level) Option {
	return func(o *options) {
		m := make(map[codes.Code]logrus.Level, len(o.codeLevels)+1)
		for c, l := range o.codeLevels {
			m[c] = l
		}
		m[code] = level
		o.codeLevels = m
	}
}

// WithStatusPolicy sets the status policy that decides which codes are errors, and so the
// default levels (see PolicyLevel). Give every signal of a stack the same policy. Default:
// interceptors.DefaultStatusPolicy().
func WithStatusPolicy(p interceptors.StatusPolicy) Option {
	return func(o *options) { o.policy = p }
}

// WithFilter logs only the lines f keeps. Filters run once per line, after the level check
// (so a sampling filter counts only lines the logger's level lets through) and before any
// field of the line is built; they see the outcome on the finish line (filter.Call.Finished),
// and the call's context. Given several times, a line is logged only when every filter keeps
// it. A nil f is ignored. Default: every line is logged.
func WithFilter(f filter.Filter) Option {
	return func(o *options) {
		if f != nil {
			o.filters = append(o.filters[:len(o.filters):len(o.filters)], f)
		}
	}
}

// WithBaggageFields logs the named members of the W3C baggage in the call's context as
// "baggage.<key>" fields. Keys that are not valid baggage keys are ignored, and so are keys
// named like credentials (the rule of WithMetadataFields); given several times, the keys add
// up. Which baggage is in the context is the tracing layer's business: a
// public endpoint that drops untrusted incoming baggage leaves none to log. Default: none.
func WithBaggageFields(keys ...string) Option {
	return func(o *options) { o.baggageKeys = appendBaggageKeys(o.baggageKeys, keys) }
}

// WithMetadataFields logs the named request metadata (incoming on a server, outgoing on a
// client) as "grpc.request.metadata.<key>" fields, several values joined by ", ". Keys are
// case-insensitive; keys that are not valid metadata keys are ignored; given several times,
// the keys add up. A value longer than 256 bytes is cut there and ends in "…(truncated)": the
// caller decides what it sends, not how long the server's log lines are.
//
// Credentials are never logged, whatever the list says: keys starting with "grpc-" (gRPC's
// own, grpc-trace-bin included), binary keys (ending in "-bin"), "baggage" (see
// WithBaggageFields), and every key that contains authorization, authenticate, cookie, token,
// secret, password, passwd, credential, session, api-key, apikey, api_key or jwt (so
// authorization, proxy-authorization, cookie, set-cookie, x-api-key, x-auth-token and their
// kin) are dropped from the list. Default: none.
func WithMetadataFields(keys ...string) Option {
	return func(o *options) { o.mdKeys = appendMetadataKeys(o.mdKeys, keys) }
}

// WithPayloads logs the messages of each call, rendered as protojson and, in JSON output, as
// nested objects. A unary call's request and response go on its finish line (the request also
// on its start line), so a filter can keep the payloads of failed calls only; each message of
// a stream gets a line of its own ("request received", "response sent" on a server; "request
// sent", "response received" on a client), which filters see as not finished.
//
// Every message is copied before it is redacted, so redact may change it freely: fields marked
// with the debug_redact option in their .proto are redacted first, then redact runs (it may be
// nil; see RedactFields). A redactor that panics has the payload replaced by a note saying so,
// never logged as it was. Default: payloads are not logged.
func WithPayloads(redact Redactor) Option {
	return func(o *options) {
		o.payloads = true
		o.redact = redact
	}
}

// keep reports whether every filter keeps the line.
func (o *options) keep(c filter.Call) bool {
	for _, f := range o.filters {
		if !f(c) {
			return false
		}
	}
	return true
}

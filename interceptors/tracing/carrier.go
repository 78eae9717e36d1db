package tracing

import (
	"context"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/propagation"
	"google.golang.org/grpc/metadata"
)

// maxFieldBytes bounds what the incoming carrier hands to a propagator for one key, all
// values of that key together. Legal W3C fields are far smaller (traceparent 55 bytes,
// baggage 8192, tracestate at most 32 members); a longer value is treated as absent, so a
// hostile caller cannot make a propagator parse or allocate megabytes per call.
const maxFieldBytes = 32 << 10

// binarySuffix marks gRPC metadata keys whose values are binary: never trace context text.
const binarySuffix = "-bin"

// incomingCarrier reads a server call's incoming metadata for a propagator, without copying
// the whole metadata. Repeated values of a key are joined with commas, as HTTP combines
// repeated header fields: a repeated tracestate or baggage is one list, and a repeated
// traceparent is invalid, so the call starts a new trace. Binary (-bin) keys are invisible.
type incomingCarrier struct {
	ctx context.Context
}

var _ propagation.TextMapCarrier = (*incomingCarrier)(nil)

// incomingCarriers and outgoingCarriers recycle the carriers of the default propagators (see
// core.extract), which never keep a carrier past the call: a call then allocates nothing for
// propagation itself. A carrier given to a propagator set with WithPropagators is never
// recycled, as such a propagator might keep it.
var (
	incomingCarriers = sync.Pool{New: func() any { return new(incomingCarrier) }}
	outgoingCarriers = sync.Pool{New: func() any { return new(outgoingCarrier) }}
)

// newIncomingCarrier returns a carrier that reads ctx's incoming metadata; release it after
// the extraction with releaseIncomingCarrier.
func (c *core) newIncomingCarrier(ctx context.Context) *incomingCarrier {
	var carrier *incomingCarrier
	if c.propagator == nil {
		carrier = incomingCarriers.Get().(*incomingCarrier)
	} else {
		carrier = new(incomingCarrier)
	}
	carrier.ctx = ctx
	return carrier
}

// releaseIncomingCarrier ends the carrier's use: it no longer holds the call's context.
func (c *core) releaseIncomingCarrier(carrier *incomingCarrier) {
	carrier.ctx = nil
	if c.propagator == nil {
		incomingCarriers.Put(carrier)
	}
}

// Get returns the value of key, or "" when it is absent, binary or too long.
func (c *incomingCarrier) Get(key string) string {
	if strings.HasSuffix(key, binarySuffix) {
		return ""
	}
	return joinBounded(metadata.ValueFromIncomingContext(c.ctx, key))
}

// Set does nothing: incoming metadata is read only.
func (c *incomingCarrier) Set(string, string) {}

// Keys returns the incoming metadata keys, binary ones left out.
func (c *incomingCarrier) Keys() []string {
	md, _ := metadata.FromIncomingContext(c.ctx)
	keys := make([]string, 0, len(md))
	for k := range md {
		if !strings.HasSuffix(k, binarySuffix) {
			keys = append(keys, k)
		}
	}
	return keys
}

// joinBounded joins values with commas, or returns "" when the result would exceed
// maxFieldBytes.
func joinBounded(values []string) string {
	switch len(values) {
	case 0:
		return ""
	case 1:
		if len(values[0]) > maxFieldBytes {
			return ""
		}
		return values[0]
	}
	n := len(values) - 1
	for _, v := range values {
		n += len(v)
		if n > maxFieldBytes {
			return ""
		}
	}
	return strings.Join(values, ",")
}

// outgoingCarrier collects what a propagator injects on a client call, so that it reaches the
// outgoing metadata in one step (see injectOutgoing). It drops what gRPC would refuse to send
// (a key outside [0-9a-z-_.], a reserved grpc- key, a binary key, a value that is not
// printable ASCII), so that tracing never fails a call, and it holds baggage to the W3C limits.
type outgoingCarrier struct {
	inline [6]string // room for three pairs: traceparent, tracestate, baggage
	kv     []string  // key, value, key, value…; keys are lower case and unique
}

var _ propagation.TextMapCarrier = (*outgoingCarrier)(nil)

// newOutgoingCarrier returns an empty carrier; release it with releaseOutgoingCarrier once
// injectOutgoing has copied its pairs into the outgoing metadata.
func (c *core) newOutgoingCarrier() *outgoingCarrier {
	if c.propagator == nil {
		return outgoingCarriers.Get().(*outgoingCarrier)
	}
	return new(outgoingCarrier)
}

// releaseOutgoingCarrier empties the carrier, and recycles it when it came from the pool.
func (c *core) releaseOutgoingCarrier(carrier *outgoingCarrier) {
	clear(carrier.inline[:])
	carrier.kv = nil
	if c.propagator == nil {
		outgoingCarriers.Put(carrier)
	}
}

// Get returns the value injected for key so far.
func (c *outgoingCarrier) Get(key string) string {
	key = strings.ToLower(key)
	for i := 0; i < len(c.kv); i += 2 {
		if c.kv[i] == key {
			return c.kv[i+1]
		}
	}
	return ""
}

// Set injects key, replacing an earlier value of the same key.
func (c *outgoingCarrier) Set(key, value string) {
	key = strings.ToLower(key)
	if !validOutgoingKey(key) || !printableASCII(value) {
		return
	}
	if key == baggageKey {
		value = limitBaggage(value)
	}
	if c.kv == nil {
		c.kv = c.inline[:0]
	}
	for i := 0; i < len(c.kv); i += 2 {
		if c.kv[i] == key {
			if value == "" {
				c.kv = append(c.kv[:i], c.kv[i+2:]...)
			} else {
				c.kv[i+1] = value
			}
			return
		}
	}
	if value != "" {
		c.kv = append(c.kv, key, value)
	}
}

// Keys returns the keys injected so far.
func (c *outgoingCarrier) Keys() []string {
	keys := make([]string, 0, len(c.kv)/2)
	for i := 0; i < len(c.kv); i += 2 {
		keys = append(keys, c.kv[i])
	}
	return keys
}

// injectOutgoing returns ctx with the carrier's pairs in its outgoing metadata. An injected
// key replaces the values the outgoing metadata already had for it; every other key is kept.
// An existing baggage value that breaks the W3C limits (a caller that forwards its incoming
// metadata, say) is cut down to them, so a call never sends more than they allow.
func injectOutgoing(ctx context.Context, c *outgoingCarrier) context.Context {
	replace := false
	for i := 0; i < len(c.kv) && !replace; i += 2 {
		replace = len(metadata.ValueFromOutgoingContext(ctx, c.kv[i])) > 0
	}
	var oversized []string
	if c.Get(baggageKey) == "" {
		if existing := metadata.ValueFromOutgoingContext(ctx, baggageKey); len(existing) > 0 {
			if !withinBaggageLimits(strings.Join(existing, ",")) {
				oversized, replace = existing, true
			}
		}
	}
	if !replace {
		if len(c.kv) == 0 {
			return ctx
		}
		return metadata.AppendToOutgoingContext(ctx, c.kv...)
	}
	md, _ := metadata.FromOutgoingContext(ctx)
	if md == nil {
		md = metadata.MD{}
	}
	if oversized != nil {
		md.Delete(baggageKey)
		if limited := limitBaggage(strings.Join(oversized, ",")); limited != "" {
			md.Set(baggageKey, limited)
		}
	}
	for i := 0; i < len(c.kv); i += 2 {
		md.Set(c.kv[i], c.kv[i+1])
	}
	return metadata.NewOutgoingContext(ctx, md)
}

// validOutgoingKey reports whether gRPC sends key as a text metadata key of ours: [0-9a-z-_.],
// not reserved (grpc-), not binary (-bin).
func validOutgoingKey(key string) bool {
	if key == "" || strings.HasPrefix(key, "grpc-") || strings.HasSuffix(key, binarySuffix) {
		return false
	}
	for i := 0; i < len(key); i++ {
		b := key[i]
		if (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '-' && b != '_' && b != '.' {
			return false
		}
	}
	return true
}

// printableASCII reports whether gRPC accepts s as a text metadata value.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

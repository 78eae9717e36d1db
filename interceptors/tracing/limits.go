package tracing

import (
	"slices"
	"strings"
)

// The W3C Baggage limits (https://www.w3.org/TR/baggage/#limits), the ones otel's baggage
// package applies when it parses. It does not apply them to baggage built in process
// (Baggage.SetMember adds members without a bound), so the client applies them again to what
// it sends.
const (
	baggageKey        = "baggage"
	maxBaggageMembers = 64
	maxBaggageBytes   = 8192
)

// withinBaggageLimits reports whether a baggage header value keeps to the W3C limits. Members
// are separated by commas, which cannot occur inside a member.
func withinBaggageLimits(v string) bool {
	return len(v) <= maxBaggageBytes && strings.Count(v, ",") < maxBaggageMembers
}

// limitBaggage cuts a baggage header value down to the W3C limits by dropping whole members,
// never part of one. Which members stay is deterministic: in key order, each that still fits.
func limitBaggage(v string) string {
	if withinBaggageLimits(v) {
		return v
	}
	members := strings.Split(v, ",")
	for i, m := range members {
		members[i] = strings.TrimSpace(m)
	}
	slices.Sort(members)
	var b strings.Builder
	kept := 0
	for _, m := range members {
		if m == "" {
			continue
		}
		size := len(m)
		if kept > 0 {
			size++
		}
		if b.Len()+size > maxBaggageBytes {
			continue
		}
		if kept > 0 {
			b.WriteByte(',')
		}
		b.WriteString(m)
		if kept++; kept == maxBaggageMembers {
			break
		}
	}
	return b.String()
}

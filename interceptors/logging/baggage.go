package logging

import (
	"context"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/baggage"
)

// validBaggageKey reports whether key is a W3C baggage key: a non-empty HTTP token.
func validBaggageKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
			c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~':
		default:
			return false
		}
	}
	return true
}

// appendBaggageKeys adds to an allowlist the valid baggage keys, once each. A key named like a
// credential (authorization, cookie, token, …; see neverLogged) is refused whatever the
// allowlist says, as tracing refuses it for span attributes.
func appendBaggageKeys(list []string, keys []string) []string {
	list = slices.Clip(list)
	for _, k := range keys {
		if validBaggageKey(k) && !neverLogged(strings.ToLower(k)) && !slices.Contains(list, k) {
			list = append(list, k)
		}
	}
	return list
}

// addBaggage adds the allowlisted members of the baggage in ctx.
func (l *callLogger) addBaggage(f fieldSink, ctx context.Context) {
	if len(l.baggageKeys) == 0 {
		return
	}
	bag := baggage.FromContext(ctx)
	for _, kf := range l.baggageKeys {
		if m := bag.Member(kf.key); m.Key() != "" {
			f.set(kf.field, m.Value())
		}
	}
}

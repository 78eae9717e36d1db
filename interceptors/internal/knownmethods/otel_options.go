package knownmethods

import (
	"fmt"

	"go.opentelemetry.io/otel"
)

// ParseReported parses the names given to an option of an OpenTelemetry signal (tracing,
// otelmetrics), whose construction never fails: a name ParseMethod refuses is reported to
// otel.Handle, prefixed with the option's name (for example "tracing.WithKnownMethods"), and
// left out.
func ParseReported(option string, names []string) []Method {
	parsed := make([]Method, 0, len(names))
	for _, name := range names {
		m, err := ParseMethod(name)
		if err != nil {
			otel.Handle(fmt.Errorf("%s: %w", option, err))
			continue
		}
		parsed = append(parsed, m)
	}
	return parsed
}

// FirstSeenReported reports whether n can be New's firstSeen; when it cannot, it tells
// otel.Handle why, prefixed with the option's name.
func FirstSeenReported(option string, n int) bool {
	if err := CheckFirstSeen(n); err != nil {
		otel.Handle(fmt.Errorf("%s: %w", option, err))
		return false
	}
	return true
}

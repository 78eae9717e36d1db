package logging

import (
	"context"
	"slices"
	"strings"

	"google.golang.org/grpc/metadata"
)

// credentialMarkers are the substrings that make a metadata key never logged: the keys that
// carry credentials (authorization, proxy-authorization, cookie, set-cookie, x-api-key,
// x-auth-token, x-csrf-token, …) all contain one.
var credentialMarkers = []string{
	"authorization", "authenticate", "cookie", "token", "secret", "password", "passwd",
	"credential", "session", "api-key", "apikey", "api_key", "jwt",
}

// neverLogged reports whether the metadata key (lower case) must never be logged, whatever the
// allowlist says: gRPC's own keys (grpc-*, which include grpc-trace-bin), binary keys (*-bin),
// the raw baggage header (baggage reaches logs only through WithBaggageFields, after the
// tracing layer decided whether to trust it), and keys that carry credentials.
func neverLogged(key string) bool {
	if strings.HasPrefix(key, "grpc-") || strings.HasSuffix(key, "-bin") || key == "baggage" {
		return true
	}
	for _, marker := range credentialMarkers {
		if strings.Contains(key, marker) {
			return true
		}
	}
	return false
}

// validMetadataKey reports whether key (lower case) is a metadata key gRPC can carry:
// digits, lower-case letters, '-', '_' and '.'.
func validMetadataKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// appendMetadataKeys adds to an allowlist the keys that may be logged, lower-cased, once each.
func appendMetadataKeys(list []string, keys []string) []string {
	list = slices.Clip(list)
	for _, k := range keys {
		k = strings.ToLower(k)
		if validMetadataKey(k) && !neverLogged(k) && !slices.Contains(list, k) {
			list = append(list, k)
		}
	}
	return list
}

// addMetadata adds the allowlisted request metadata: incoming on a server, outgoing on a
// client.
func (l *callLogger) addMetadata(f fieldSink, ctx context.Context) {
	if len(l.mdKeys) == 0 {
		return
	}
	var outgoing metadata.MD
	if l.isClient {
		outgoing, _ = metadata.FromOutgoingContext(ctx)
	}
	for _, kf := range l.mdKeys {
		var values []string
		if l.isClient {
			values = outgoing[kf.key]
		} else {
			values = metadata.ValueFromIncomingContext(ctx, kf.key)
		}
		if len(values) > 0 {
			f.set(kf.field, boundedValue(strings.Join(values, ", ")))
		}
	}
}

// maxMetadataValueBytes bounds a logged metadata value: a caller decides what it sends (up to
// grpc-go's 16 MB header limit), and must not decide the size of the server's log lines.
const maxMetadataValueBytes = 256

// truncatedMarker ends a logged value that was cut to maxMetadataValueBytes.
const truncatedMarker = "…(truncated)"

// boundedValue cuts v to maxMetadataValueBytes, keeping it valid UTF-8, and marks the cut.
func boundedValue(v string) string {
	if len(v) <= maxMetadataValueBytes {
		return v
	}
	return strings.ToValidUTF8(v[:maxMetadataValueBytes], "") + truncatedMarker
}

package tracing

import (
	"strings"

	"github.com/grpcobs/grpcobs/interceptors/internal/rpcconv"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	semconvlegacy "go.opentelemetry.io/otel/semconv/v1.37.0"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"google.golang.org/grpc/codes"
)

// Span attributes follow the OpenTelemetry semantic conventions v1.43.0, the version that
// otelgrpc v0.72 emits by default, so traces look the same after a migration from otelgrpc.
// Setting OTEL_SEMCONV_STABILITY_OPT_IN to "rpc/old" emits the older RPC conventions of
// v1.37.0 (rpc.system, rpc.service, rpc.method, rpc.grpc.status_code) instead, and "rpc/dup"
// emits both, as otelgrpc does, for dashboards that still read the old names (see
// rpcconv.ConventionsFromEnv).
type conventions rpcconv.Conventions

const (
	conventionsCurrent = conventions(rpcconv.Current) // semconv v1.43.0
	conventionsLegacy  = conventions(rpcconv.Legacy)  // semconv v1.37.0
)

// conventionsFromEnv reads OTEL_SEMCONV_STABILITY_OPT_IN.
func conventionsFromEnv() conventions { return conventions(rpcconv.ConventionsFromEnv()) }

func (c conventions) schemaURL() string {
	if c&conventionsCurrent != 0 {
		return semconv.SchemaURL
	}
	return semconvlegacy.SchemaURL
}

// methodAttributes are the attributes a span gets at its start, from the call's method alone.
func (c conventions) methodAttributes(name, service, method string) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 4)
	if c&conventionsLegacy != 0 {
		attrs = append(attrs, semconvlegacy.RPCSystemGRPC, semconvlegacy.RPCService(service))
		if c&conventionsCurrent == 0 {
			// Both versions name an attribute rpc.method; when both are emitted, the
			// current one (the full method) is the one kept, as otelgrpc does.
			attrs = append(attrs, semconvlegacy.RPCMethod(method))
		}
	}
	if c&conventionsCurrent != 0 {
		attrs = append(attrs, semconv.RPCSystemNameGRPC, semconv.RPCMethod(name))
	}
	return attrs
}

// statusAttributes are the attributes a span gets at its end, from the call's code: the code,
// and error.type (the code again) when the status policy calls it an error.
func (c conventions) statusAttributes(code codes.Code, isError bool) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 3)
	if c&conventionsLegacy != 0 {
		attrs = append(attrs, semconvlegacy.RPCGRPCStatusCodeKey.Int64(int64(code)))
	}
	if c&conventionsCurrent != 0 {
		name := rpcconv.CodeName(code)
		attrs = append(attrs, semconv.RPCResponseStatusCode(name))
		if isError {
			attrs = append(attrs, semconv.ErrorTypeKey.String(name))
		}
	}
	return attrs
}

// numCodes is the number of gRPC codes (OK to UNAUTHENTICATED).
const numCodes = rpcconv.NumCodes

// baggageAttribute copies one allowlisted baggage member into a span attribute.
type baggageAttribute struct {
	member string
	key    attribute.Key
}

// baggageAttributePrefix names the span attributes that WithBaggageAttributes adds.
const baggageAttributePrefix = "baggage."

func newBaggageAttributes(members []string) []baggageAttribute {
	out := make([]baggageAttribute, 0, len(members))
	seen := make(map[string]bool, len(members))
	for _, m := range members {
		if !seen[m] {
			seen[m] = true
			out = append(out, baggageAttribute{member: m, key: attribute.Key(baggageAttributePrefix + m)})
		}
	}
	return out
}

func appendBaggageAttributes(attrs []attribute.KeyValue, bag baggage.Baggage, allow []baggageAttribute) []attribute.KeyValue {
	if bag.Len() == 0 {
		return attrs
	}
	for _, a := range allow {
		if m := bag.Member(a.member); m.Key() != "" {
			attrs = append(attrs, a.key.String(strings.ToValidUTF8(m.Value(), "\uFFFD")))
		}
	}
	return attrs
}

// isCredentialKey reports whether a metadata or baggage key names a credential, or is gRPC's
// own: such keys never become span attributes.
func isCredentialKey(key string) bool {
	switch strings.ToLower(key) {
	case "authorization", "proxy-authorization", "cookie", "set-cookie":
		return true
	}
	return len(key) >= 5 && strings.EqualFold(key[:5], "grpc-")
}

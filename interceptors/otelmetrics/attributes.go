package otelmetrics

import (
	"github.com/grpcobs/grpcobs/interceptors/internal/rpcconv"
	"go.opentelemetry.io/otel/attribute"
	semconvlegacy "go.opentelemetry.io/otel/semconv/v1.37.0"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"google.golang.org/grpc/codes"
)

// The A66 attribute keys, as grpc-go's plugin spells them.
const (
	a66MethodKey = attribute.Key("grpc.method")
	a66StatusKey = attribute.Key("grpc.status")
	a66TargetKey = attribute.Key("grpc.target")
)

// Each convention's name for a method that is not known: its calls are recorded under it, so
// that the names callers make up add no series.
const (
	semconvOther = "_OTHER" // semantic conventions: rpc.method (and, v1.37.0, rpc.service)
	a66Other     = "other"  // gRFC A66 and grpc-go: grpc.method, and grpc.target past the bound
)

// callee is the method of a call as the metrics name it.
type callee struct {
	full, service, method string // "pkg.Service/Method", "pkg.Service", "Method"
}

// otherCallee is every method that is not known.
func otherCallee(conv conventions) callee {
	if conv&conventionsA66 != 0 {
		return callee{a66Other, a66Other, a66Other}
	}
	return callee{semconvOther, semconvOther, semconvOther}
}

// durationAttributes are the attributes of the duration histogram (the current conventions'
// or A66's) that the method and the connection decide; the status adds its own at the end.
// server holds server.address and server.port (semantic conventions, client side), target
// grpc.target (A66, client side).
func (conv conventions) durationAttributes(m callee, server []attribute.KeyValue, target string, isClient bool) []attribute.KeyValue {
	switch {
	case conv&conventionsA66 != 0:
		attrs := []attribute.KeyValue{a66MethodKey.String(m.full)}
		if isClient {
			attrs = append(attrs, a66TargetKey.String(target))
		}
		return attrs
	case conv&conventionsCurrent != 0:
		return append([]attribute.KeyValue{semconv.RPCSystemNameGRPC, semconv.RPCMethod(m.full)}, server...)
	}
	return nil
}

// legacyAttributes are the attributes of the v1.37.0 histogram that the method and the
// connection decide, nil unless rpc/old or rpc/dup asks for it.
func (conv conventions) legacyAttributes(m callee, server []attribute.KeyValue) []attribute.KeyValue {
	if conv&conventionsLegacy == 0 {
		return nil
	}
	return append([]attribute.KeyValue{
		semconvlegacy.RPCSystemGRPC, semconvlegacy.RPCService(m.service), semconvlegacy.RPCMethod(m.method),
	}, server...)
}

// durationStatus are the attributes a call's code adds to the duration histogram: under the
// current conventions, rpc.response.status_code and, when the status policy calls the code an
// error on this side (isError), error.type; under A66, grpc.status.
func (conv conventions) durationStatus(code codes.Code, isError bool) []attribute.KeyValue {
	name := rpcconv.CodeName(code)
	if conv&conventionsA66 != 0 {
		return []attribute.KeyValue{a66StatusKey.String(name)}
	}
	attrs := []attribute.KeyValue{semconv.RPCResponseStatusCode(name)}
	if isError {
		attrs = append(attrs, semconv.ErrorTypeKey.String(name))
	}
	return attrs
}

// legacyStatus is the attribute a call's code adds to the v1.37.0 histogram.
func legacyStatus(code codes.Code) attribute.KeyValue {
	return semconvlegacy.RPCGRPCStatusCodeKey.Int64(int64(code))
}

// numCodes is the number of gRPC codes (OK to UNAUTHENTICATED).
const numCodes = rpcconv.NumCodes

// metricCode is the code a call is recorded under: a code outside the 17 of gRPC (a peer may
// send any number) is recorded as UNKNOWN, so invented codes add no series.
func metricCode(code codes.Code) codes.Code {
	if int(code) < numCodes {
		return code
	}
	return codes.Unknown
}

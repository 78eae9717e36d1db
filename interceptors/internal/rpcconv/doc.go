// Package rpcconv holds what grpcobs' OpenTelemetry signals (tracing's spans, otelmetrics'
// measurements) read the same way from the semantic conventions for RPC, so that a span and
// the measurement of the same call agree:
//   - which versions of the conventions to emit, from OTEL_SEMCONV_STABILITY_OPT_IN
//     (ConventionsFromEnv);
//   - the names of the gRPC status codes (CodeName), for rpc.response.status_code and
//     error.type;
//   - server.address and server.port of a client's target (ServerAttributes).
//
// A signal resolves the conventions once, at construction, and computes the attributes once
// per method, code or target, caching them (see boundedcache):
//
//	conv := rpcconv.ConventionsFromEnv()
//	if conv&rpcconv.Current != 0 {
//		attrs = append(attrs, semconv.RPCResponseStatusCode(rpcconv.CodeName(code)))
//	}
//	attrs = append(attrs, rpcconv.ServerAttributes(cc.Target(), cc.CanonicalTarget())...)
package rpcconv

package rpcconv

import (
	"os"
	"strings"
)

// Conventions is a set of versions of the semantic conventions for RPC that a signal emits.
// The bits above Legacy are free for a signal's own conventions (otelmetrics' gRFC A66).
type Conventions uint8

const (
	// Current is semconv v1.43.0, the version otelgrpc v0.72 emits by default.
	Current Conventions = 1 << iota
	// Legacy is semconv v1.37.0, the older RPC conventions (rpc.system, rpc.service,
	// rpc.method, rpc.grpc.status_code), for dashboards that still read the old names.
	Legacy
)

// ConventionsFromEnv reads OTEL_SEMCONV_STABILITY_OPT_IN, a comma-separated list: "rpc/dup"
// emits both versions and wins over "rpc/old", which emits Legacy alone; without either,
// Current alone.
func ConventionsFromEnv() Conventions {
	conv := Current
	for v := range strings.SplitSeq(os.Getenv("OTEL_SEMCONV_STABILITY_OPT_IN"), ",") {
		switch strings.TrimSpace(v) {
		case "rpc/dup":
			return Current | Legacy
		case "rpc/old":
			conv = Legacy
		}
	}
	return conv
}

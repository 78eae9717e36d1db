package otelmetrics

import "github.com/grpcobs/grpcobs/interceptors/internal/rpcconv"

// conventions says which metric families a signal records: the semantic conventions' current
// RPC metrics (v1.43.0), their older ones (v1.37.0), both, or gRFC A66's.
type conventions rpcconv.Conventions

const (
	conventionsCurrent = conventions(rpcconv.Current) // semconv v1.43.0: rpc.{side}.call.duration, seconds
	conventionsLegacy  = conventions(rpcconv.Legacy)  // semconv v1.37.0: rpc.{side}.duration, milliseconds
	conventionsA66     = conventionsLegacy << 1       // gRFC A66: grpc.{side}.call.*, as grpc-go's plugin
)

// newConventions is A66's family when WithA66 asks for it, else the semantic conventions'
// families that OTEL_SEMCONV_STABILITY_OPT_IN chooses, read as grpcobs' tracing reads it (see
// rpcconv.ConventionsFromEnv).
func newConventions(o options) conventions {
	if o.a66 {
		return conventionsA66
	}
	return conventions(rpcconv.ConventionsFromEnv())
}

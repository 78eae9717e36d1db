package tracing

import (
	"github.com/grpcobs/grpcobs/interceptors/internal/boundedcache"
	"github.com/grpcobs/grpcobs/interceptors/internal/rpcconv"
	"go.opentelemetry.io/otel/attribute"
	"google.golang.org/grpc"
)

// maxCachedTargets bounds the cache of targets' attributes: past it, the cache starts over, so
// that a client dialling ever new targets keeps the ones in use cached.
const maxCachedTargets = 256

// targetCache holds the server attributes of the targets a client has called, by
// grpc.ClientConn.Target, which costs nothing to read (CanonicalTarget builds a string).
type targetCache struct {
	entries boundedcache.Map[string, []attribute.KeyValue]
}

// serverAttributes returns server.address and server.port of cc's target (see
// rpcconv.ServerAttributes), as the semantic conventions require of a client span; none for a
// nil cc.
func (c *targetCache) serverAttributes(cc *grpc.ClientConn) []attribute.KeyValue {
	if cc == nil {
		return nil
	}
	target := cc.Target()
	if attrs, ok := c.entries.Load(target); ok {
		return attrs
	}
	return c.entries.Store(target, rpcconv.ServerAttributes(target, cc.CanonicalTarget()), maxCachedTargets)
}

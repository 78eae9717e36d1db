package tracing

import "github.com/grpcobs/grpcobs/interceptors/internal/boundedcache"

// boundedCache is a boundedcache.Map of at most max entries, under the names core.go uses.
type boundedCache[K comparable, V any] struct {
	max     int32
	entries boundedcache.Map[K, V]
}

// load returns the value cached for key, if there is one.
func (c *boundedCache[K, V]) load(key K) (V, bool) { return c.entries.Load(key) }

// store caches v for key, unless another goroutine cached a value first, and returns the
// value cached.
func (c *boundedCache[K, V]) store(key K, v V) V { return c.entries.Store(key, v, c.max) }

package tracing

import (
	"sync"
	"sync/atomic"
)

// boundedCache is a concurrent map that holds at most max entries: past that, it starts over,
// so that a process that keeps meeting new keys keeps the ones in use cached instead of
// growing, or of caching nothing more.
type boundedCache[K comparable, V any] struct {
	max     int32
	entries sync.Map // K -> V
	size    atomic.Int32
}

// load returns the value cached for key, if there is one.
func (c *boundedCache[K, V]) load(key K) (V, bool) {
	v, ok := c.entries.Load(key)
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

// store caches v for key, unless another goroutine cached a value first, and returns the
// value cached.
func (c *boundedCache[K, V]) store(key K, v V) V {
	if c.size.Add(1) > c.max {
		c.entries.Clear()
		c.size.Store(1)
	}
	if cached, loaded := c.entries.LoadOrStore(key, v); loaded {
		return cached.(V)
	}
	return v
}

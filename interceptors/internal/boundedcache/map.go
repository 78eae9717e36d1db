package boundedcache

import (
	"sync"
	"sync/atomic"
)

// Map is a concurrent map from K to V that holds at most a bound of entries: past it, it
// starts over. Its zero value is empty and ready to use; it must not be copied after first
// use.
type Map[K comparable, V any] struct {
	entries sync.Map // K -> V
	size    atomic.Int32
}

// Load returns the value cached for key, if there is one.
func (m *Map[K, V]) Load(key K) (V, bool) {
	v, ok := m.entries.Load(key)
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

// Store caches v for key, unless another goroutine cached a value for key first, and returns
// the value cached. The map counts Stores: at the Store past max since it last started over,
// it starts over, with key alone. A Store counts even when it finds a value cached, so call it
// after Load missed; every Store of a Map passes the same max.
func (m *Map[K, V]) Store(key K, v V, max int32) V {
	if m.size.Add(1) > max {
		m.entries.Clear()
		m.size.Store(1)
	}
	if cached, loaded := m.entries.LoadOrStore(key, v); loaded {
		return cached.(V)
	}
	return v
}

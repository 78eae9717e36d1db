package boundedcache

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Map is a concurrent map from K to V that holds at most a bound of entries: past it, it
// starts over. Its zero value is empty and ready to use; it must not be copied after first
// use.
//
// Loads, one or more per call, read a plain Go map through an atomic pointer, with no lock and
// with K's own hash; Stores, once per new key, copy it. (A sync.Map hashes its keys as
// interfaces: BenchmarkLoad reads a struct key of strings about a third slower through one.)
type Map[K comparable, V any] struct {
	entries atomic.Pointer[map[K]V] // replaced by Store, never changed
	mu      sync.Mutex              // serialises Stores
	stores  int32                   // Stores since the map last started over; under mu
}

// Load returns the value cached for key, if there is one.
func (m *Map[K, V]) Load(key K) (V, bool) {
	if p := m.entries.Load(); p != nil {
		v, ok := (*p)[key]
		return v, ok
	}
	var zero V
	return zero, false
}

// Store caches v for key, unless another goroutine cached a value for key first, and returns
// the value cached. The map counts Stores: at the Store past max since it last started over,
// it starts over, with key alone. A Store counts even when it finds a value cached, so call it
// after Load missed; every Store of a Map passes the same max.
func (m *Map[K, V]) Store(key K, v V, max int32) V {
	m.mu.Lock()
	defer m.mu.Unlock()
	var current map[K]V
	if p := m.entries.Load(); p != nil {
		current = *p
	}
	if m.stores++; m.stores > max {
		current, m.stores = nil, 1
	}
	if cached, ok := current[key]; ok {
		return cached
	}
	next := make(map[K]V, len(current)+1)
	maps.Copy(next, current)
	next[key] = v
	m.entries.Store(&next)
	return v
}

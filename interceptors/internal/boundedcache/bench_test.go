package boundedcache_test

import (
	"sync"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/internal/boundedcache"
)

// methodKey is shaped like the resolver's key: a target, a service and a method.
type methodKey struct {
	target, service, method string
	other                   bool
}

// BenchmarkLoad compares a Load of a cached struct key with the sync.Map the Map used to be
// built on, in the same run.
func BenchmarkLoad(b *testing.B) {
	key := methodKey{target: "dns:///orders.internal:8443", service: "grpcobs.demo.v1.DemoService", method: "Echo"}
	b.Run("boundedcache.Map", func(b *testing.B) {
		var m boundedcache.Map[methodKey, *int]
		m.Store(key, new(int), 1024)
		for b.Loop() {
			if _, ok := m.Load(key); !ok {
				b.Fatal("not cached")
			}
		}
	})
	b.Run("sync.Map", func(b *testing.B) {
		var m sync.Map
		m.Store(key, new(int))
		for b.Loop() {
			if _, ok := m.Load(key); !ok {
				b.Fatal("not cached")
			}
		}
	})
}

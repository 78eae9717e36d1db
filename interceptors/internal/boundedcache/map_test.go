package boundedcache_test

import (
	"strconv"
	"sync"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/internal/boundedcache"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Store keeps the first value stored for a key, and returns it to later stores.
func TestStoreKeepsTheFirstValue(t *testing.T) {
	var m boundedcache.Map[string, int]
	if got := m.Store("a", 1, 4); got != 1 {
		t.Errorf("first Store = %d, want 1", got)
	}
	if got := m.Store("a", 2, 4); got != 1 {
		t.Errorf("second Store = %d, want the cached 1", got)
	}
	if got, ok := m.Load("a"); !ok || got != 1 {
		t.Errorf("Load = %d, %v; want 1, true", got, ok)
	}
	if got, ok := m.Load("b"); ok || got != 0 {
		t.Errorf("Load of an absent key = %d, %v; want 0, false", got, ok)
	}
}

// A full map starts over instead of growing, keeps the key stored past the bound, and keeps
// serving.
func TestStoreStartsOverPastTheBound(t *testing.T) {
	const max = 256
	var m boundedcache.Map[string, int]
	for i := range max {
		m.Store(strconv.Itoa(i), i, max)
	}
	for i := range max {
		if got, ok := m.Load(strconv.Itoa(i)); !ok || got != i {
			t.Fatalf("Load(%d) within the bound = %d, %v; want %d, true", i, got, ok, i)
		}
	}
	if got := m.Store("one too many", -1, max); got != -1 {
		t.Errorf("Store past the bound = %d, want -1", got)
	}
	for i := range max {
		if _, ok := m.Load(strconv.Itoa(i)); ok {
			t.Fatalf("Load(%d) after the bound: still cached, want the map started over", i)
		}
	}
	if got, ok := m.Load("one too many"); !ok || got != -1 {
		t.Errorf("Load of the key stored past the bound = %d, %v; want -1, true", got, ok)
	}
	// It fills up again to the bound before it starts over again.
	for i := range max - 1 {
		m.Store(strconv.Itoa(i), i, max)
	}
	if _, ok := m.Load("one too many"); !ok {
		t.Error("the map started over again before it held the bound")
	}
}

// Goroutines storing and loading at once each get the value of their key, never another's,
// whatever the map's restarts (run with -race).
func TestConcurrentStoresAndLoads(t *testing.T) {
	const max, keys, workers = 8, 32, 4
	var m boundedcache.Map[int, string]
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range 1000 {
				key := (i + w) % keys
				want := strconv.Itoa(key)
				if got := m.Store(key, want, max); got != want {
					t.Errorf("Store(%d) = %q, want %q", key, got, want)
					return
				}
				if got, ok := m.Load(key); ok && got != want {
					t.Errorf("Load(%d) = %q, want %q", key, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

package boundedcache_test

import (
	"fmt"

	"github.com/grpcobs/grpcobs/interceptors/internal/boundedcache"
)

// A map of at most two entries starts over when a third key comes.
func ExampleMap() {
	const max = 2
	var m boundedcache.Map[string, int]
	cached := func() map[string]int {
		out := map[string]int{}
		for _, key := range []string{"a", "b", "c"} {
			if v, ok := m.Load(key); ok {
				out[key] = v
			}
		}
		return out
	}
	m.Store("a", 1, max)
	m.Store("b", 2, max)
	fmt.Println(cached())
	m.Store("c", 3, max)
	fmt.Println(cached())
	// Output:
	// map[a:1 b:2]
	// map[c:3]
}

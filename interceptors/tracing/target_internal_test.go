package tracing

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// The targets go through grpc.NewClient, so that Target and CanonicalTarget are what gRPC
// makes of them (CanonicalTarget turns unix:relative.sock into unix:///relative.sock and
// decodes %25, so it cannot be read alone).
func TestServerAttributesOfClientTargets(t *testing.T) {
	for _, tc := range []struct {
		target string
		want   map[string]string // server.address, and server.port when there is one
	}{
		{"example.com:443", map[string]string{"server.address": "example.com", "server.port": "443"}},
		{"dns:///example.com:443", map[string]string{"server.address": "example.com", "server.port": "443"}},
		{"DNS:///example.com:443", map[string]string{"server.address": "example.com", "server.port": "443"}},
		{"dns://8.8.8.8/example.com:443", map[string]string{"server.address": "example.com", "server.port": "443"}},
		{"dns:///example.com", map[string]string{"server.address": "example.com"}},
		{"example.com", map[string]string{"server.address": "example.com"}},
		{"passthrough:///10.0.0.1:7", map[string]string{"server.address": "10.0.0.1", "server.port": "7"}},
		{"passthrough:///bufnet", map[string]string{"server.address": "bufnet"}},
		{"127.0.0.1:9090", map[string]string{"server.address": "127.0.0.1", "server.port": "9090"}},
		{"dns:///[::1]:50051", map[string]string{"server.address": "::1", "server.port": "50051"}},
		{"[::1]:50051", map[string]string{"server.address": "::1", "server.port": "50051"}},
		{"dns:///[::1]", map[string]string{"server.address": "::1"}},
		{"dns:///[fe80::1%25eth0]:50051", map[string]string{"server.address": "fe80::1%eth0", "server.port": "50051"}},
		{"dns:///host:99999", map[string]string{"server.address": "host"}},
		{"unix:///run/app.sock", map[string]string{"server.address": "/run/app.sock"}},
		{"unix:/run/app.sock", map[string]string{"server.address": "/run/app.sock"}},
		{"unix:relative.sock", map[string]string{"server.address": "relative.sock"}},
		{"unix:///tmp/100%25.sock", map[string]string{"server.address": "/tmp/100%.sock"}},
		{"unix-abstract:grpc-abstract", map[string]string{"server.address": "grpc-abstract"}},
	} {
		t.Run(tc.target, func(t *testing.T) {
			cc, err := grpc.NewClient(tc.target, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatalf("NewClient(%q): %v", tc.target, err)
			}
			defer func() { _ = cc.Close() }()
			targets := targetCache{boundedCache[string, []attribute.KeyValue]{max: maxCachedTargets}}
			for range 2 { // computed, then cached
				got := map[string]string{}
				for _, kv := range targets.serverAttributes(cc) {
					got[string(kv.Key)] = kv.Value.String()
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("attributes of %q (canonical %q) (-want +got):\n%s", tc.target, cc.CanonicalTarget(), diff)
				}
			}
		})
	}
}

func TestServerAttributesWithoutAConnection(t *testing.T) {
	var targets targetCache
	if got := targets.serverAttributes(nil); got != nil {
		t.Errorf("serverAttributes(nil) = %v, want none", got)
	}
	if got := serverAttributes("", "dns:///"); got != nil {
		t.Errorf(`serverAttributes("") = %v, want none`, got)
	}
}

// The caches start over past their bounds instead of growing, and keep serving.
func TestTargetAndMethodCachesAreBounded(t *testing.T) {
	targets := targetCache{boundedCache[string, []attribute.KeyValue]{max: maxCachedTargets}}
	for i := range maxCachedTargets {
		targets.store(strconv.Itoa(i), nil)
	}
	if got := targets.size.Load(); got != maxCachedTargets {
		t.Fatalf("size after filling = %d, want %d", got, maxCachedTargets)
	}
	cc, err := grpc.NewClient("dns:///example.com:443", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cc.Close() }()
	if got := targets.serverAttributes(cc); len(got) != 2 {
		t.Errorf("serverAttributes past the bound = %v, want address and port", got)
	}
	n := 0
	targets.entries.Range(func(any, any) bool { n++; return true })
	if n != 1 || targets.size.Load() != 1 {
		t.Errorf("after the bound: %d entries, size %d; want the cache started over with 1", n, targets.size.Load())
	}
	if got, ok := targets.load(cc.Target()); !ok || len(got) != 2 {
		t.Errorf("load after the bound = %v, %v; want the target's attributes cached", got, ok)
	}
}

// store keeps the first value stored for a key, and returns it to later stores.
func TestBoundedCacheKeepsTheFirstValue(t *testing.T) {
	c := boundedCache[string, int]{max: 4}
	if got := c.store("a", 1); got != 1 {
		t.Errorf("first store = %d, want 1", got)
	}
	if got := c.store("a", 2); got != 1 {
		t.Errorf("second store = %d, want the cached 1", got)
	}
	if got, ok := c.load("a"); !ok || got != 1 {
		t.Errorf("load = %d, %v; want 1, true", got, ok)
	}
	if _, ok := c.load("b"); ok {
		t.Error("load of an absent key: ok, want not ok")
	}
}

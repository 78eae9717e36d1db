package tracing

import (
	"testing"

	"github.com/google/go-cmp/cmp"
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
			var targets targetCache
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
	var targets targetCache
	for i := range maxCachedTargets + 10 {
		targets.attrs.Store(i, nil)
		if targets.size.Add(1) > maxCachedTargets {
			t.Fatal("test setup overran the bound")
		}
		if i == maxCachedTargets-1 {
			break
		}
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
	targets.attrs.Range(func(any, any) bool { n++; return true })
	if n != 1 || targets.size.Load() != 1 {
		t.Errorf("after the bound: %d entries, size %d; want the cache started over with 1", n, targets.size.Load())
	}
}

package tracing

import (
	"strconv"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// rpcconv.ServerAttributes reads a target (its tests hold the targets); the target cache asks
// it once per target, by grpc.ClientConn.Target, and starts over past its bound.

func TestServerAttributesWithoutAConnection(t *testing.T) {
	var targets targetCache
	if got := targets.serverAttributes(nil); got != nil {
		t.Errorf("serverAttributes(nil) = %v, want none", got)
	}
}

func TestTargetCacheIsBounded(t *testing.T) {
	var targets targetCache
	for i := range maxCachedTargets {
		targets.entries.Store(strconv.Itoa(i), nil, maxCachedTargets)
	}
	cc, err := grpc.NewClient("dns:///example.com:443", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cc.Close() }()
	got := targets.serverAttributes(cc)
	if len(got) != 2 {
		t.Fatalf("serverAttributes past the bound = %v, want address and port", got)
	}
	if _, ok := targets.entries.Load("0"); ok {
		t.Error("a target stored before the bound is still cached, want the cache started over")
	}
	if cached, ok := targets.entries.Load(cc.Target()); !ok || len(cached) != 2 || &cached[0] != &got[0] {
		t.Errorf("load after the bound = %v, %v; want the attributes returned, cached", cached, ok)
	}
}

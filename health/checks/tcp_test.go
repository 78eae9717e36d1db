package checks_test

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/grpcobs/grpcobs/health/checks"
	"github.com/grpcobs/grpcobs/health/internal/loopback"
)

func TestTCPFollowsARealListener(t *testing.T) {
	peer := loopback.Start(t, loopback.Discard)
	check := checks.TCP(peer.Addr())

	if err := check(checkContext(t)); err != nil {
		t.Fatalf("while the peer listens: %v", err)
	}
	peer.Stop()
	err := check(checkContext(t))
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("once the peer stopped: error %v, want connection refused", err)
	}
	wantError(t, "once the peer stopped", err, "tcp: dial tcp "+peer.Addr()+": connect: connection refused")
	peer.Restart()
	if err := check(checkContext(t)); err != nil {
		t.Fatalf("once the peer is back: %v", err)
	}
}

func TestTCPBadInputAndCancel(t *testing.T) {
	wantError(t, "no address", checks.TCP("")(checkContext(t)), "tcp: no address to dial")
	wantError(t, "no port", checks.TCP("127.0.0.1")(checkContext(t)), "tcp: dial tcp: address 127.0.0.1: missing port in address")

	peer := loopback.Start(t, loopback.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := checks.TCP(peer.Addr())(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("with a cancelled context: error %v, want context.Canceled", err)
	}
}

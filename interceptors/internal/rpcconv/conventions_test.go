package rpcconv_test

import (
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/internal/rpcconv"
)

func TestConventionsFromEnv(t *testing.T) {
	const both = rpcconv.Current | rpcconv.Legacy
	for _, tc := range []struct {
		env  string
		want rpcconv.Conventions
	}{
		{"", rpcconv.Current},
		{"http", rpcconv.Current},
		{"rpc/new", rpcconv.Current},
		{"RPC/OLD", rpcconv.Current}, // the values are case-sensitive
		{"rpc/old", rpcconv.Legacy},
		{"http,rpc/old", rpcconv.Legacy},
		{" rpc/old ", rpcconv.Legacy},
		{"rpc/dup", both},
		{"rpc/old, rpc/dup", both},
		{"rpc/dup,rpc/old", both},
		{"http, rpc/dup, rpc/old", both},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv("OTEL_SEMCONV_STABILITY_OPT_IN", tc.env)
			if got := rpcconv.ConventionsFromEnv(); got != tc.want {
				t.Errorf("ConventionsFromEnv() with %q = %b, want %b", tc.env, got, tc.want)
			}
		})
	}
}

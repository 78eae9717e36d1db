package tracing_test

import (
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
)

// wantsAttempts is what a signal tells the grpcobs stack of attempts.
func wantsAttempts(r any) bool {
	h, _ := signal.Of(r)
	return h.Traits.WantsAttempts
}

// WithAttemptSpans is a client option: only a client asks the stack for attempts (the stack
// then installs its stats handler). The spans themselves are asserted in internal/attempts,
// through real retry policies, and in ExampleWithAttemptSpans.
func TestOnlyAClientAsksForAttempts(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"client with WithAttemptSpans", wantsAttempts(tracing.NewClient(tracing.WithAttemptSpans())), true},
		{"client without it", wantsAttempts(tracing.NewClient()), false},
		{"server with WithAttemptSpans", wantsAttempts(tracing.NewServer(tracing.WithAttemptSpans())), false},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: asks for attempts = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

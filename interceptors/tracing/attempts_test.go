package tracing_test

import (
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/tracing"
)

// WithAttemptSpans is a client option: only a client asks the stack for attempts (the stack
// then installs its stats handler). The spans themselves are asserted in internal/attempts,
// through real retry policies, and in ExampleWithAttemptSpans.
func TestOnlyAClientAsksForAttempts(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"client with WithAttemptSpans", tracing.NewClient(tracing.WithAttemptSpans()).SignalTraits().WantsAttempts, true},
		{"client without it", tracing.NewClient().SignalTraits().WantsAttempts, false},
		{"server with WithAttemptSpans", tracing.NewServer(tracing.WithAttemptSpans()).SignalTraits().WantsAttempts, false},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: asks for attempts = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

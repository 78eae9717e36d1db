package logging

import (
	"math/rand/v2"
	"testing"
	"time"

	mwlogging "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
)

// TestMiddlewareTimeMSIsItsDurationField checks mwTimeMS against go-grpc-middleware's own
// DurationToTimeMillisFields, over durations from a nanosecond to hours (the texts of small,
// round, and large values, exponents included).
func TestMiddlewareTimeMSIsItsDurationField(t *testing.T) {
	durations := []time.Duration{0, 1, 999, time.Microsecond, 1500 * time.Nanosecond, time.Millisecond,
		123456 * time.Nanosecond, time.Second, 90 * time.Minute, 3 * time.Hour, 1000 * time.Hour}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		durations = append(durations, time.Duration(rng.Int64N(int64(10*time.Hour))>>rng.IntN(40)))
	}
	for _, d := range durations {
		want := mwlogging.DurationToTimeMillisFields(d)
		if len(want) != 2 || want[0] != FieldTimeMS {
			t.Fatalf("go-grpc-middleware's duration field is %v, want grpc.time_ms and a value", want)
		}
		if got := mwTimeMS(d); got != want[1] {
			t.Errorf("mwTimeMS(%v) = %q, go-grpc-middleware writes %q", d, got, want[1])
		}
	}
}

package attempts

import "fmt"

// RetryPolicy is a service config (for grpc.WithDefaultServiceConfig) that retries every
// DemoService call failing with UNAVAILABLE, up to maxAttempts attempts, backing off
// initialBackoff times multiplier to the power of the retries so far (grpc-go adds ±20%
// jitter), with throttling (a retryThrottling object) when it is not "". It is shared by the
// tests that drive real grpc-go retries, here and in the bench module's interop tests.
func RetryPolicy(maxAttempts int, initialBackoff string, multiplier float64, throttling string) string {
	sc := fmt.Sprintf(`{"methodConfig": [{
	"name": [{"service": "grpcobs.demo.v1.DemoService"}],
	"retryPolicy": {
		"maxAttempts": %d,
		"initialBackoff": %q,
		"maxBackoff": "60s",
		"backoffMultiplier": %g,
		"retryableStatusCodes": ["UNAVAILABLE"]
	}
}]`, maxAttempts, initialBackoff, multiplier)
	if throttling != "" {
		sc += `, "retryThrottling": ` + throttling
	}
	return sc + "}"
}

package reliability_test

import (
	"flag"
	"testing"

	"go.opentelemetry.io/otel"
	"go.uber.org/goleak"
)

var soakCalls = flag.Int("soak.calls", 10_000, "number of calls TestSoak makes")

func TestMain(m *testing.M) {
	// otel reports malformed incoming baggage to its global error handler, which logs to
	// stderr; the hostile metadata tests send plenty of it on purpose.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {}))
	goleak.VerifyTestMain(m)
}

package demo_test

import (
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// retryOnUnavailable retries Echo on UNAVAILABLE, up to four attempts.
const retryOnUnavailable = `{"methodConfig": [{
	"name": [{"service": "grpcobs.demo.v1.DemoService", "method": "Echo"}],
	"retryPolicy": {"maxAttempts": 4, "initialBackoff": "0.01s", "maxBackoff": "0.01s",
		"backoffMultiplier": 1, "retryableStatusCodes": ["UNAVAILABLE"]}
}]}`

// unavailable_attempts fails the first attempts of a call: a client with a retry policy sees
// it succeed on the next one; a client without one gets UNAVAILABLE.
func TestUnavailableAttemptsFailTheFirstAttempts(t *testing.T) {
	retrying := testsrv.Start(t, testsrv.WithDialOptions(grpc.WithDefaultServiceConfig(retryOnUnavailable))).Demo()
	for _, refused := range []int32{0, 1, 3} {
		resp, err := retrying.Echo(testContext(t), &demov1.EchoRequest{Message: "hi", UnavailableAttempts: refused})
		if err != nil || resp.GetMessage() != "hi" {
			t.Errorf("unavailable_attempts %d with retries: Echo = %v, %v; want hi after %d refused attempts", refused, resp, err, refused)
		}
	}
	_, err := retrying.Echo(testContext(t), &demov1.EchoRequest{UnavailableAttempts: 4})
	if status.Code(err) != codes.Unavailable || !strings.HasSuffix(status.Convert(err).Message(), "attempt 4 refused on purpose (unavailable_attempts 4)") {
		t.Errorf("unavailable_attempts 4, four attempts allowed: Echo = %v, want the fourth attempt's UNAVAILABLE", err)
	}
	plain := testsrv.Start(t).Demo()
	if _, err := plain.Echo(testContext(t), &demov1.EchoRequest{UnavailableAttempts: 1}); status.Code(err) != codes.Unavailable {
		t.Errorf("unavailable_attempts 1 without retries: Echo = %v, want UNAVAILABLE", err)
	}
}

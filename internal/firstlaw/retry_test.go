package firstlaw_test

import (
	"context"
	"testing"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// retryServiceConfig retries every DemoService method on UNAVAILABLE, up to 3 attempts.
const retryServiceConfig = `{"methodConfig": [{
	"name": [{"service": "grpcobs.demo.v1.DemoService"}],
	"retryPolicy": {
		"maxAttempts": 3,
		"initialBackoff": "0.01s",
		"maxBackoff": "0.01s",
		"backoffMultiplier": 1.0,
		"retryableStatusCodes": ["UNAVAILABLE"]
	}
}]}`

// failFirstAttempt fails the first attempt with UNAVAILABLE before it reads or sends anything
// (a trailers-only response, which grpc-go may retry), and lets the others through.
func failFirstAttempt(svc *service) setup {
	svc.before = func(_ context.Context, attempt int) error {
		if attempt == 1 {
			return status.Error(codes.Unavailable, "first attempt fails")
		}
		return nil
	}
	return setup{dial: []grpc.DialOption{grpc.WithDefaultServiceConfig(retryServiceConfig)}}
}

// failEveryAttempt fails every attempt with UNAVAILABLE, so the retry policy runs out.
func failEveryAttempt(svc *service) setup {
	svc.before = func(context.Context, int) error {
		return status.Error(codes.Unavailable, "every attempt fails")
	}
	return setup{dial: []grpc.DialOption{grpc.WithDefaultServiceConfig(retryServiceConfig)}}
}

func TestRetryPolicyDecidesAsBare(t *testing.T) {
	ok, unavailable := []codes.Code{codes.OK}, []codes.Code{codes.Unavailable}
	runDifferential(t, []scenario{
		{
			name:    "unary, first attempt fails",
			prepare: failFirstAttempt,
			calls: func(t *testing.T, w *world) []callResult {
				return []callResult{echo(testContext(t), w.demo(), &demov1.EchoRequest{Message: "retried"})}
			},
			wantCodes: ok, wantAttempts: 2,
		},
		{
			name:    "server stream, first attempt fails",
			prepare: failFirstAttempt,
			calls: func(t *testing.T, w *world) []callResult {
				return []callResult{serverStream(testContext(t), w.demo(), &demov1.ServerStreamRequest{Message: "retried", Count: 3})}
			},
			wantCodes: ok, wantAttempts: 2,
		},
		{
			name:    "client stream, first attempt fails",
			prepare: failFirstAttempt,
			calls: func(t *testing.T, w *world) []callResult {
				return []callResult{clientStream(testContext(t), w.demo(), []string{"one", "two", "three"})}
			},
			wantCodes: ok, wantAttempts: 2,
		},
		{
			name:    "bidi stream, first attempt fails",
			prepare: failFirstAttempt,
			calls: func(t *testing.T, w *world) []callResult {
				return []callResult{chat(testContext(t), w.demo(), []string{"one", "two", "three"})}
			},
			wantCodes: ok, wantAttempts: 2,
		},
		{
			name:    "unary, every attempt fails",
			prepare: failEveryAttempt,
			calls: func(t *testing.T, w *world) []callResult {
				return []callResult{echo(testContext(t), w.demo(), &demov1.EchoRequest{Message: "retried"})}
			},
			wantCodes: unavailable, wantAttempts: 3,
		},
		{
			name:    "server stream, every attempt fails",
			prepare: failEveryAttempt,
			calls: func(t *testing.T, w *world) []callResult {
				return []callResult{serverStream(testContext(t), w.demo(), &demov1.ServerStreamRequest{Message: "retried", Count: 3})}
			},
			wantCodes: unavailable, wantAttempts: 3,
		},
	})
}

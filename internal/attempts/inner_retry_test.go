package attempts_test

import (
	"testing"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/retry"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// go-grpc-middleware's retry interceptor inside the stack makes a new grpc-go call for each of
// its retries, and grpc-go numbers each call's attempts from 0 again: an attempt's
// previous-rpc-attempts is the grpc-previous-rpc-attempts the server saw (spanTree checks it
// on every server span), not the attempt's rank in the stack's call, while every signal
// counts all the attempts of the stack's call. Here the retry policy allows 2 attempts per
// grpc-go call and the server refuses the first two: grpc-go's first call makes attempts 0 and
// 1 and fails, the interceptor's retry makes attempt 0 of a second call, which succeeds.
func TestAttemptsOfAnInnerRetryInterceptorAreNumberedPerGRPCCall(t *testing.T) {
	retryOpts := []retry.CallOption{retry.WithMax(2), retry.WithCodes(codes.Unavailable), retry.WithBackoff(retry.BackoffLinear(10 * time.Millisecond))}
	for _, tc := range []struct {
		method, typ string
		call        func(t *testing.T, w *world) error
	}{
		{"Echo", "unary", func(t *testing.T, w *world) error {
			_, err := w.h.Demo().Echo(testContext(t), &demov1.EchoRequest{Message: "m"})
			return err
		}},
		{"ServerStream", "server_stream", func(t *testing.T, w *world) error {
			s, err := w.h.Demo().ServerStream(testContext(t), &demov1.ServerStreamRequest{Message: "m", Count: 2})
			if err != nil {
				return err
			}
			n, err := drainAll(s.Recv)
			if err == nil && n != 2 {
				t.Errorf("received %d messages, want 2", n)
			}
			return err
		}},
	} {
		t.Run(tc.method, func(t *testing.T) {
			w := startWorldWith(t, worldConfig{
				serviceConfig: retryPolicy(2, "0.01s", 1, ""),
				fail:          []codes.Code{codes.Unavailable, codes.Unavailable},
				harness: []testsrv.Option{testsrv.WithDialOptions(
					grpc.WithChainUnaryInterceptor(retry.UnaryClientInterceptor(retryOpts...)),
					grpc.WithChainStreamInterceptor(retry.StreamClientInterceptor(retryOpts...)),
				)},
			})
			if err := tc.call(t, w); err != nil {
				t.Fatalf("%s = %v, want OK on the interceptor's retry", tc.method, err)
			}
			const service = "grpcobs.demo.v1.DemoService"
			call := "internal " + service + "/" + tc.method
			attempt := "  client Attempt." + service + "." + tc.method
			server := "    server " + service + "/" + tc.method
			w.expectTree(t, []string{
				call + " OK",
				attempt + " UNAVAILABLE previous-rpc-attempts=0 transparent-retry=false",
				server + " UNAVAILABLE",
				attempt + " UNAVAILABLE previous-rpc-attempts=1 transparent-retry=false",
				server + " UNAVAILABLE",
				attempt + " OK previous-rpc-attempts=0 transparent-retry=false",
				server + " OK",
			})
			w.expectAttempts(t, attempts{tc.typ, tc.method, "OK", 1}, attempts{tc.typ, tc.method, "Unavailable", 2})
			w.expectLine(t, logrus.Fields{
				logging.FieldMethod: tc.method, logging.FieldCode: "OK", logging.FieldAttempts: 3,
				logging.FieldAttemptCodes: []string{"Unavailable", "Unavailable"},
			})
		})
	}
}

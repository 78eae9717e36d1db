package attempts_test

import (
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/logging"
	shared "github.com/grpcobs/grpcobs/internal/attempts"
	"github.com/grpcobs/grpcobs/internal/firstlaw"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
)

// A stream the server refuses before any handler sees it (firstlaw.Refusal: the server's
// only stream slot is held by another call) is retried transparently by grpc-go, with no
// retry policy: its first attempt span ends UNAVAILABLE with no server span under it, and its
// second carries transparent-retry=true and previous-rpc-attempts=0: grpc-go's
// grpc-previous-rpc-attempts counts only its retry policy's retries, and the server saw none.
func TestTransparentRetry(t *testing.T) {
	var w *world
	refused := make(chan struct{})
	refusal := &firstlaw.Refusal{OnRefused: func() { close(refused) }}
	w = startWorldWith(t, worldConfig{
		serviceConfig: `{}`,
		server:        []grpc.ServerOption{grpc.MaxConcurrentStreams(1)},
		harness:       []testsrv.Option{testsrv.WithTCP(), testsrv.WithDialOptions(grpc.WithContextDialer(refusal.Dial))},
		holdFirst:     true,
	})
	shared.TransparentRetry(t, testContext(t), w.h.Demo(), w.script, refused)
	const (
		call    = "internal grpcobs.demo.v1.DemoService/ServerStream"
		attempt = "  client Attempt.grpcobs.demo.v1.DemoService.ServerStream"
		server  = "    server grpcobs.demo.v1.DemoService/ServerStream"
	)
	w.expectTree(t, []string{
		echoCall + " OK",
		echoAttempt + " OK previous-rpc-attempts=0 transparent-retry=false",
		echoServer + " OK",
		call + " OK",
		attempt + " UNAVAILABLE previous-rpc-attempts=0 transparent-retry=false",
		attempt + " OK previous-rpc-attempts=0 transparent-retry=true",
		server + " OK",
	})
	w.expectAttempts(t,
		attempts{"unary", "Echo", "OK", 1},
		attempts{"server_stream", "ServerStream", "OK", 1},
		attempts{"server_stream", "ServerStream", "Unavailable", 1})
	w.expectLines(t, []logrus.Fields{
		{logging.FieldMethod: "Echo", logging.FieldCode: "OK"},
		{logging.FieldMethod: "ServerStream", logging.FieldCode: "OK", logging.FieldAttempts: 2, logging.FieldAttemptCodes: []string{"Unavailable"}},
	})
}

package testsrv_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/baggage"
	"google.golang.org/grpc"
)

func TestEchoAnythingAnswersARandomMethod(t *testing.T) {
	h := testsrv.Start(t, testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)))
	method := testsrv.RandomMethod(rand.New(rand.NewPCG(1, 2)))
	if parts := strings.Split(method, "/"); len(parts) != 3 || parts[0] != "" || len(method) < 90 {
		t.Fatalf("RandomMethod = %q, want a ~100-byte /package.Service/Method", method)
	}
	var resp demov1.EchoResponse
	if err := h.Conn.Invoke(t.Context(), method, &demov1.EchoRequest{Message: "hi"}, &resp); err != nil {
		t.Fatalf("Invoke %s: %v", method, err)
	}
	if resp.GetMessage() != "hi" {
		t.Errorf("echoed %q, want %q", resp.GetMessage(), "hi")
	}
}

func TestWithBaggage(t *testing.T) {
	ctx := testsrv.WithBaggage(t, t.Context(), "user", "alice", "tenant", "acme")
	b := baggage.FromContext(ctx)
	if got := b.Member("user").Value() + "," + b.Member("tenant").Value(); got != "alice,acme" {
		t.Errorf("baggage members = %q, want alice,acme", got)
	}
}

package testsrv

import (
	"context"
	"math/rand/v2"
	"testing"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/baggage"
	"google.golang.org/grpc"
)

// EchoAnything is an unknown-service handler (grpc.UnknownServiceHandler): it answers any
// method, the way a proxy or a catch-all does, with the message it received.
func EchoAnything(_ any, stream grpc.ServerStream) error {
	var req demov1.EchoRequest
	if err := stream.RecvMsg(&req); err != nil {
		return err
	}
	return stream.SendMsg(&demov1.EchoResponse{Message: req.GetMessage()})
}

// RandomMethod is a random "/package.Service/Method" of about 100 bytes, as a scanner sends.
func RandomMethod(rng *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	return "/" + word(30) + ".v1." + word(30) + "/" + word(35)
}

// WithBaggage returns ctx with the members ("key", "value", …) as its baggage, failing the
// test when they are not valid baggage.
func WithBaggage(t testing.TB, ctx context.Context, kv ...string) context.Context {
	t.Helper()
	members := make([]baggage.Member, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m, err := baggage.NewMemberRaw(kv[i], kv[i+1])
		if err != nil {
			t.Fatalf("baggage member %q: %v", kv[i], err)
		}
		members = append(members, m)
	}
	b, err := baggage.New(members...)
	if err != nil {
		t.Fatalf("baggage: %v", err)
	}
	return baggage.ContextWithBaggage(ctx, b)
}

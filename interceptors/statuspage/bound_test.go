package statuspage_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/statuspage"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
)

// A scanner calling thousands of made-up methods adds no row: they all count in other, and
// the recent-calls lists keep their size.
func TestRandomMethodsShareTheOtherRow(t *testing.T) {
	const calls = 2000
	page := newPage(t, statuspage.WithRecentCalls(5))
	h, _ := tracedHarness(t, page, testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)))
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	for range calls {
		if err := h.Conn.Invoke(ctx, testsrv.RandomMethod(rng), &demov1.EchoRequest{}, &demov1.EchoResponse{}); err != nil {
			t.Fatalf("call a random method: %v", err)
		}
	}
	if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}

	s := readStatus(t, page)
	for name, sd := range map[string]sideRows{"server": s.Server, "client": s.Client} {
		if len(sd.Methods) != 2 {
			t.Errorf("%s has %d rows, want Echo and other", name, len(sd.Methods))
		}
		if other := sd.row(t, "other", "other"); other.Calls != calls || other.Type != "" {
			t.Errorf("%s other row: %d calls, type %q; want %d, no type", name, other.Calls, other.Type, calls)
		}
		if echo := sd.row(t, demoService, "Echo"); echo.Calls != 1 {
			t.Errorf("%s Echo row: %d calls, want 1", name, echo.Calls)
		}
		if len(sd.Slowest) != 5 {
			t.Errorf("%s keeps %d slowest calls, want 5", name, len(sd.Slowest))
		}
		for _, c := range sd.Slowest {
			if c.CountedAs == "other" && len(c.Service)+len(c.Method) > 2*256 {
				t.Errorf("%s keeps a name of %d bytes", name, len(c.Service)+len(c.Method))
			}
		}
	}
}

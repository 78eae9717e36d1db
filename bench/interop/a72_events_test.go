package interop

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// grpcobs records message events only when asked (WithMessageEvents), and on the call span,
// once per message the caller sent or received, not on each attempt as grpc-go does: the
// retried request below is one message sent, however many attempts carried it.
func TestA72MessageEventsAreTheCalls(t *testing.T) {
	stack := a72Stack{
		name:   "grpcobs with message events",
		server: a72Grpcobs.server,
		client: func(tp trace.TracerProvider) []grpc.DialOption {
			return interceptors.DialOptions(tracing.NewClient(tracing.WithTracerProvider(tp), tracing.WithAttemptSpans(), tracing.WithMessageEvents()))
		},
	}
	w := startA72World(t, stack, a72Config{serviceConfig: a72RetryPolicy(3), fail: []codes.Code{codes.Unavailable}})
	w.echo(t, codes.OK, "")
	want := []string{
		obsEcho + " [Unset] " + sortedAttrs(obsClient, "rpc.response.status_code=OK") +
			" | rpc.message{rpc.message.id=1 rpc.message.type=SENT rpc.message.uncompressed_size=9}, rpc.message{rpc.message.id=1 rpc.message.type=RECEIVED rpc.message.uncompressed_size=9}",
		obsEchoAttempt + " [Error: attempt 1 refused] " + sortedAttrs(obsClient, "error.type=UNAVAILABLE previous-rpc-attempts=0 rpc.response.status_code=UNAVAILABLE transparent-retry=false"),
		obsEchoServer + " [Error: attempt 1 refused] " + sortedAttrs(obsServer, "error.type=UNAVAILABLE rpc.response.status_code=UNAVAILABLE"),
		obsEchoAttempt + " [Unset] " + sortedAttrs(obsClient, "previous-rpc-attempts=1 rpc.response.status_code=OK transparent-retry=false"),
		obsEchoServer + " [Unset] " + sortedAttrs(obsServer, "rpc.response.status_code=OK"),
	}
	if diff := cmp.Diff(want, w.spanTree(t, len(want))); diff != "" {
		t.Errorf("span tree (-want +got):\n%s", diff)
	}
}

package interop

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
)

// A refusal that reaches the client before the refused attempt has written its request is
// reported by grpc-go v1.85 as the end of a successful attempt: csAttempt.sendMsg turns the
// failed write into io.EOF, withRetry retries the attempt transparently with io.EOF as its
// error, and csAttempt.finish reports io.EOF to stats handlers as a success (stats.End with
// no error). Both stacks learn of attempts from stats handlers, so both show the refused
// attempt as a success; grpc-go's has no "Outbound message" event, since nothing was sent.
// TestA72SpanTrees' "transparent retry" makes the refusal arrive after the request, where
// the attempt ends UNAVAILABLE.
func TestA72RefusalBeforeTheRequest(t *testing.T) {
	want := map[string][]string{
		"grpcobs": {
			"internal grpcobs.demo.v1.DemoService/ServerStream [Unset] " + sortedAttrs(obsStream, "rpc.response.status_code=OK rpc.system.name=grpc server.address=* server.port=*"),
			"  client Attempt.grpcobs.demo.v1.DemoService.ServerStream [Unset] " + sortedAttrs(obsStream, "previous-rpc-attempts=0 rpc.response.status_code=OK rpc.system.name=grpc server.address=* server.port=* transparent-retry=false"),
			// grpc-previous-rpc-attempts does not count transparent retries.
			"  client Attempt.grpcobs.demo.v1.DemoService.ServerStream [Unset] " + sortedAttrs(obsStream, "previous-rpc-attempts=0 rpc.response.status_code=OK rpc.system.name=grpc server.address=* server.port=* transparent-retry=true"),
			"    server grpcobs.demo.v1.DemoService/ServerStream [Unset] " + sortedAttrs(obsTCPServer("ServerStream"), "rpc.response.status_code=OK"),
		},
		"grpc-go": {
			"client Sent.grpcobs.demo.v1.DemoService.ServerStream [Ok]",
			"  internal Attempt.grpcobs.demo.v1.DemoService.ServerStream [Ok] previous-rpc-attempts=0 transparent-retry=false",
			"  internal Attempt.grpcobs.demo.v1.DemoService.ServerStream [Ok] previous-rpc-attempts=1 transparent-retry=true | Outbound message{message-size=11 sequence-number=0}, Inbound message{message-size=12 sequence-number=0}",
			"    server Recv.grpcobs.demo.v1.DemoService.ServerStream [Ok] | Inbound message{message-size=11 sequence-number=0}, Outbound message{message-size=12 sequence-number=0}",
		},
	}
	for _, stack := range []a72Stack{a72Grpcobs, a72GrpcGo} {
		t.Run(stack.name, func(t *testing.T) {
			var w *a72World
			ctx := testContext(t)
			holder := make(chan error, 1)
			// refusedFirst runs inside the stack: once the refused stream exists, it lets
			// the refusal through and waits until the client has read it, before the
			// generated client sends the request.
			refusedFirst := func(callCtx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
				stream, err := streamer(callCtx, desc, cc, method, opts...)
				if err != nil {
					return nil, err
				}
				select {
				case <-w.refused:
				case <-ctx.Done():
					return nil, errors.New("the server never refused the stream")
				}
				close(w.script.Hold) // the holder ends, and the refusal follows its trailers
				if err := <-holder; err != nil {
					return nil, err
				}
				// The refusal was relayed before any frame of a later call, and the client
				// reads frames in order: once a later call has ended, it has read the
				// refusal.
				if _, err := demov1.NewDemoServiceClient(cc).Echo(ctx, &demov1.EchoRequest{Message: "later"}); err != nil {
					return nil, err
				}
				return stream, nil
			}
			w = startA72World(t, stack, a72Config{serviceConfig: `{}`, refuseOne: true, client: []grpc.DialOption{grpc.WithChainStreamInterceptor(refusedFirst)}})
			c := w.h.Demo()
			go func() {
				_, err := c.Echo(ctx, &demov1.EchoRequest{Message: "holds the slot"})
				holder <- err
			}()
			select {
			case <-w.script.Entered:
			case <-ctx.Done():
				t.Fatal("the holder never reached the server")
			}
			stream, err := c.ServerStream(ctx, &demov1.ServerStreamRequest{Message: "refused", Count: 1})
			if err != nil {
				t.Fatalf("ServerStream: %v", err)
			}
			if _, err := stream.Recv(); err != nil {
				t.Fatalf("Recv = %v, want the one message", err)
			}
			if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
				t.Fatalf("final Recv = %v, want io.EOF", err)
			}
			// The trees start in this order: the holder's Echo (3 spans), the ServerStream
			// call (4), the later Echo (3); the Echo trees are those of TestA72SpanTrees.
			lines := w.spanTree(t, 3+4+3)
			if diff := cmp.Diff(want[stack.name], lines[3:7]); diff != "" {
				t.Errorf("ServerStream's span tree (-want +got):\n%s", diff)
			}
		})
	}
}

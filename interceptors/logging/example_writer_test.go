package logging_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// stalledStdout is stdout read by a log shipper that stopped reading: Write blocks until
// the shipper comes back, then writes to out.
type stalledStdout struct {
	out     io.Writer
	stalled chan struct{} // gets a value when a Write starts waiting
	resume  chan struct{}
}

func newStalledStdout(out io.Writer) *stalledStdout {
	return &stalledStdout{out: out, stalled: make(chan struct{}, 1), resume: make(chan struct{})}
}

func (s *stalledStdout) Write(p []byte) (int, error) {
	select {
	case s.stalled <- struct{}{}:
	default:
	}
	<-s.resume
	return s.out.Write(p)
}

// The logging interceptor writes its line before the call returns, and logrus writes
// synchronously: if the logger's output blocks, so does every call. An asynchronous writer
// with a drop policy keeps the calls going while stdout is stalled.
func Example_nonBlockingWriter() {
	stdout := newStalledStdout(os.Stdout)
	out := logging.NewAsyncWriter(stdout, 1, logging.DefaultAsyncWriterBytes) // a real service would queue a few thousand lines

	logger := logrus.New()
	logger.SetOutput(out)
	logger.SetFormatter(&jsonformat.Formatter{DisableTimestamp: true})
	logger.AddHook(dropTime{}) // grpc.time_ms differs on every run: left out of this example's output

	srv := grpc.NewServer(interceptors.ServerOptions(logging.NewServer(logger))...)
	demov1.RegisterDemoServiceServer(srv, demo.NewService())
	conn, stop := testsrv.Serve(srv)
	client := demov1.NewDemoServiceClient(conn)
	echo := func(failCode int32) {
		_, err := client.Echo(context.Background(), &demov1.EchoRequest{FailCode: failCode})
		fmt.Println("call returned:", status.Code(err))
	}

	echo(0)          // its line reaches stdout, which is stalled
	<-stdout.stalled // the writer's goroutine waits on stdout; the queue is empty
	echo(5)          // its line waits in the queue
	echo(9)          // the queue is full: its line is dropped
	stop()
	fmt.Println("dropped:", out.Dropped())

	close(stdout.resume) // the shipper reads again
	out.Close(10 * time.Second)
	// Output:
	// call returned: OK
	// call returned: NotFound
	// call returned: FailedPrecondition
	// dropped: 1
	// {"level":"info","msg":"finished call","grpc.code":"OK","grpc.component":"server","grpc.method":"Echo","grpc.method_type":"unary","grpc.service":"grpcobs.demo.v1.DemoService","peer.address":"bufconn"}
	// {"level":"warning","msg":"finished call","error":"rpc error: code = NotFound desc = failure requested with fail_code 5","grpc.code":"NotFound","grpc.component":"server","grpc.method":"Echo","grpc.method_type":"unary","grpc.service":"grpcobs.demo.v1.DemoService","peer.address":"bufconn"}
}

// TestABlockedWriterHoldsEveryCall is what the example works around: with the logger's
// output stalled, a call whose handler answered at once does not complete; it ends only
// when its caller gives up.
func TestABlockedWriterHoldsEveryCall(t *testing.T) {
	stdout := newStalledStdout(io.Discard)
	logger := logrus.New()
	logger.SetOutput(stdout)
	logger.SetFormatter(&jsonformat.Formatter{})
	h := testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(logging.NewServer(logger))...))
	t.Cleanup(func() { close(stdout.resume) }) // runs first: the server can then stop

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	returned := make(chan error, 1)
	go func() {
		_, err := h.Demo().Echo(ctx, &demov1.EchoRequest{Message: "hi"})
		returned <- err
	}()
	select {
	case <-stdout.stalled: // the handler has answered; the call's line waits on the output
	case err := <-returned:
		t.Fatalf("Echo returned (%v) before its log line reached the output", err)
	case <-time.After(20 * time.Second):
		t.Fatalf("the call's log line did not reach the output within 20s")
	}
	cancel() // the caller gives up
	if err := <-returned; status.Code(err) != codes.Canceled {
		t.Fatalf("Echo with the log output stalled = %v, want Canceled: the line holds the call until the caller gives up", err)
	}
}

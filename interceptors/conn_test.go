package interceptors_test

import (
	"context"
	"io"
	"sync"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
)

// connRecorder is a ConnReportable: it records the connection of each call it is told of,
// and whether it was told through ClientReporter instead.
type connRecorder struct {
	*recorder
	mu          sync.Mutex
	conns       []*grpc.ClientConn
	withoutConn int
}

var _ interceptors.ConnReportable = (*connRecorder)(nil)

func (r *connRecorder) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	r.mu.Lock()
	r.withoutConn++
	r.mu.Unlock()
	return r.start(ctx, meta)
}

func (r *connRecorder) ClientReporterForConn(ctx context.Context, meta interceptors.CallMeta, cc *grpc.ClientConn) (interceptors.Reporter, context.Context) {
	r.mu.Lock()
	r.conns = append(r.conns, cc)
	r.mu.Unlock()
	return r.start(ctx, meta)
}

// The grpcobs client interceptors give a ConnReportable the call's connection, on unary and
// stream calls alike, and plain reportables next to it still get their ClientReporter call.
func TestConnReportablesAreToldTheCallsConnection(t *testing.T) {
	withConn := &connRecorder{recorder: newRecorder("first", nil)}
	plain := newRecorder("second", nil)
	h := testsrv.Start(t, testsrv.WithDialOptions(interceptors.DialOptions(withConn, plain)...))
	ctx := testContext(t)
	client := h.Demo()
	if _, err := client.Echo(ctx, &demov1.EchoRequest{Message: "hi"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	stream, err := client.ServerStream(ctx, &demov1.ServerStreamRequest{Message: "hi", Count: 1})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	for {
		if _, err := stream.Recv(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("Recv: %v", err)
		}
	}

	withConn.mu.Lock()
	defer withConn.mu.Unlock()
	if len(withConn.conns) != 2 || withConn.conns[0] != h.Conn || withConn.conns[1] != h.Conn {
		t.Errorf("ClientReporterForConn got connections %v, want the harness' %p twice", withConn.conns, h.Conn)
	}
	if withConn.withoutConn != 0 {
		t.Errorf("ClientReporter called %d times on a ConnReportable, want 0", withConn.withoutConn)
	}
	if got := len(plain.snapshot()); got != 2 {
		t.Errorf("plain reportable saw %d calls, want 2", got)
	}
}

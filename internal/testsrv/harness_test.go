package testsrv_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStartServesTheDemoOverBufconnAndTCP(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []testsrv.Option
		wantAddr string
	}{
		{name: "bufconn", wantAddr: "bufconn"},
		{name: "tcp", opts: []testsrv.Option{testsrv.WithTCP()}, wantAddr: "127.0.0.1:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := testsrv.Start(t, tc.opts...)
			if !strings.HasPrefix(h.Addr, tc.wantAddr) {
				t.Errorf("Addr = %q, want prefix %q", h.Addr, tc.wantAddr)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{Message: "x"}); err != nil {
				t.Fatalf("Echo: %v", err)
			}
		})
	}
}

func TestOptionsReachServerAndClient(t *testing.T) {
	var serverSaw, clientSaw string
	h := testsrv.Start(t,
		testsrv.WithServerOptions(grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
			serverSaw = info.FullMethod
			return handler(ctx, req)
		})),
		testsrv.WithDialOptions(grpc.WithUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			clientSaw = method
			return invoker(ctx, method, req, reply, cc, opts...)
		})),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := h.Demo().Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	const want = "/grpcobs.demo.v1.DemoService/Echo"
	if serverSaw != want || clientSaw != want {
		t.Errorf("server saw %q, client saw %q, want %q for both", serverSaw, clientSaw, want)
	}
}

func TestWithRegisterReplacesTheDemo(t *testing.T) {
	h := testsrv.Start(t, testsrv.WithRegister(func(*grpc.Server) {}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := h.Demo().Echo(ctx, &demov1.EchoRequest{})
	if got := status.Code(err); got != codes.Unimplemented {
		t.Errorf("Echo on a server without the demo: %v, want Unimplemented", err)
	}
}

func TestDialOpensAnotherConnection(t *testing.T) {
	h := testsrv.Start(t)
	conn, err := h.Dial()
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer func() { _ = conn.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := demov1.NewDemoServiceClient(conn).Echo(ctx, &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo on the second connection: %v", err)
	}
}

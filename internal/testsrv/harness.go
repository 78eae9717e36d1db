package testsrv

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/grpcobs/grpcobs/internal/demo"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
)

const bufSize = 1 << 20

// Harness is a running server and a client connected to it.
type Harness struct {
	// Server is the running gRPC server.
	Server *grpc.Server
	// Conn is a client connection to Server, made with the harness' dial options.
	Conn *grpc.ClientConn
	// Addr is the server's address: "bufnet" over bufconn, host:port over TCP.
	Addr string

	dial func(ctx context.Context, opts ...grpc.DialOption) (*grpc.ClientConn, error)
}

type config struct {
	serverOpts []grpc.ServerOption
	dialOpts   []grpc.DialOption
	tcp        bool
	register   func(*grpc.Server)
}

// Option configures Start.
type Option func(*config)

// WithServerOptions adds options to grpc.NewServer. Default: none.
func WithServerOptions(opts ...grpc.ServerOption) Option {
	return func(c *config) { c.serverOpts = append(c.serverOpts, opts...) }
}

// WithDialOptions adds options to grpc.NewClient, after insecure credentials and (over
// bufconn) the bufconn dialer. Default: none.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(c *config) { c.dialOpts = append(c.dialOpts, opts...) }
}

// WithTCP serves on a loopback TCP port (127.0.0.1:0) instead of bufconn. Default: bufconn.
func WithTCP() Option {
	return func(c *config) { c.tcp = true }
}

// WithRegister replaces what is registered on the server. Default: the demo service.
func WithRegister(register func(*grpc.Server)) Option {
	return func(c *config) { c.register = register }
}

// Start starts a server and connects a client to it. Both stop when the test ends.
func Start(t testing.TB, opts ...Option) *Harness {
	t.Helper()
	cfg := config{register: func(s *grpc.Server) { demov1.RegisterDemoServiceServer(s, demo.NewService()) }}
	for _, o := range opts {
		o(&cfg)
	}

	var (
		lis     net.Listener
		target  string
		baseOpt = []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	)
	if cfg.tcp {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("listen on loopback: %v", err)
		}
		lis, target = l, l.Addr().String()
	} else {
		bl := bufconn.Listen(bufSize)
		lis, target = bl, "passthrough:///bufnet"
		baseOpt = append(baseOpt, grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return bl.DialContext(ctx)
		}))
	}

	srv := grpc.NewServer(cfg.serverOpts...)
	cfg.register(srv)
	var served sync.WaitGroup
	served.Add(1)
	go func() {
		defer served.Done()
		_ = srv.Serve(lis)
	}()

	h := &Harness{Server: srv, Addr: lis.Addr().String()}
	h.dial = func(_ context.Context, extra ...grpc.DialOption) (*grpc.ClientConn, error) {
		all := append(append(append([]grpc.DialOption{}, baseOpt...), cfg.dialOpts...), extra...)
		return grpc.NewClient(target, all...)
	}
	conn, err := h.dial(context.Background())
	if err != nil {
		srv.Stop()
		served.Wait()
		t.Fatalf("connect to test server: %v", err)
	}
	h.Conn = conn
	t.Cleanup(func() {
		_ = conn.Close()
		srv.Stop()
		served.Wait()
	})
	return h
}

// Demo returns a DemoService client on the harness' connection.
func (h *Harness) Demo() demov1.DemoServiceClient {
	return demov1.NewDemoServiceClient(h.Conn)
}

// Dial opens another client connection to the server, with the harness' dial options plus
// extra ones. The caller closes it.
func (h *Harness) Dial(extra ...grpc.DialOption) (*grpc.ClientConn, error) {
	return h.dial(context.Background(), extra...)
}

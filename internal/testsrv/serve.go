package testsrv

import (
	"context"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
)

// Serve serves srv over an in-memory listener and returns a client connection to it, made
// with opts after insecure credentials and the in-memory dialer, and a function that closes
// the connection, stops srv and waits for it. It is Start for Example functions, which have no
// testing.T; it panics if the client cannot be made.
func Serve(srv *grpc.Server, opts ...grpc.DialOption) (*grpc.ClientConn, func()) {
	lis := bufconn.Listen(bufSize)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(lis)
	}()
	conn, err := grpc.NewClient("passthrough:///bufnet", append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
	}, opts...)...)
	if err != nil {
		srv.Stop()
		<-served
		panic(err)
	}
	return conn, func() {
		_ = conn.Close()
		srv.Stop()
		<-served
	}
}

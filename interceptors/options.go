package interceptors

import "google.golang.org/grpc"

// ServerOptions returns the stack as server options: one unary and one stream interceptor,
// each reporting to every reportable in the order given. Interceptors chained by options that
// follow run inside the stack, closer to the handler; put recovery there.
func ServerOptions(reportables ...ServerReportable) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(UnaryServerInterceptor(reportables...)),
		grpc.ChainStreamInterceptor(StreamServerInterceptor(reportables...)),
	}
}

// DialOptions returns the stack as dial options: one unary and one stream interceptor, each
// reporting to every reportable in the order given.
func DialOptions(reportables ...ClientReportable) []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(UnaryClientInterceptor(reportables...)),
		grpc.WithChainStreamInterceptor(StreamClientInterceptor(reportables...)),
	}
}

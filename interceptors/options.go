package interceptors

import "google.golang.org/grpc"

// ServerOptions returns the stack as server options: one unary and one stream interceptor,
// each reporting to every reportable, grpcobs' own signals in the order they need and the
// others in the order given (see the package documentation). Interceptors chained by options
// that follow run inside the stack, closer to the handler; put recovery there. A legacy
// grpc.UnaryInterceptor option runs outside the stack wherever it is listed: use
// grpc.ChainUnaryInterceptor.
func ServerOptions(reportables ...ServerReportable) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(UnaryServerInterceptor(reportables...)),
		grpc.ChainStreamInterceptor(StreamServerInterceptor(reportables...)),
	}
}

// DialOptions returns the stack as dial options: one unary and one stream interceptor, each
// reporting to every reportable, ordered as for ServerOptions.
func DialOptions(reportables ...ClientReportable) []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(UnaryClientInterceptor(reportables...)),
		grpc.WithChainStreamInterceptor(StreamClientInterceptor(reportables...)),
	}
}

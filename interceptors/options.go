package interceptors

import "google.golang.org/grpc"

// ServerOptions returns the stack as server options: one unary and one stream interceptor,
// each reporting to every reportable, grpcobs' own signals in the order they need and the
// others in the order given (see the package documentation). Interceptors chained by options
// that follow run inside the stack, closer to the handler; put recovery there. A legacy
// grpc.UnaryInterceptor option runs outside the stack wherever it is listed: use
// grpc.ChainUnaryInterceptor.
func ServerOptions(reportables ...ServerReportable) []grpc.ServerOption {
	return (*Stack)(nil).ServerOptions(reportables...)
}

// DialOptions returns the stack as dial options: one unary and one stream interceptor, each
// reporting to every reportable, ordered as for ServerOptions. When a grpcobs signal asks for
// each attempt of a call (tracing.WithAttemptSpans, metrics.WithAttempts), it also returns a
// stats handler (grpc.WithStatsHandler) that sees grpc-go's attempts of the stack's calls and
// only observes them; otherwise it returns the two interceptors alone. Attempts are seen only
// through DialOptions: UnaryClientInterceptor and StreamClientInterceptor never record them.
func DialOptions(reportables ...ClientReportable) []grpc.DialOption {
	return (*Stack)(nil).DialOptions(reportables...)
}

// dialOptions is DialOptions of a resolved stack.
func (stack *clientReportables) dialOptions() []grpc.DialOption {
	if stack.anyAttempts {
		stack.attempts = &attemptHandler{}
	}
	opts := []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(stack.unaryInterceptor()),
		grpc.WithChainStreamInterceptor(stack.streamInterceptor()),
	}
	if stack.attempts != nil {
		opts = append(opts, grpc.WithStatsHandler(stack.attempts))
	}
	return opts
}

// Package attempts proves that grpcobs makes grpc-go's retries visible (issue 16): its tests
// drive real grpc-go retry policies (a service config's retryPolicy and retryThrottling)
// through the whole stack with every attempt followed, and assert, per scenario, the exact
// span tree (the call span, one attempt span per attempt, the server span of each attempt
// that reached the server under its attempt span), grpc_client_attempts_total and the
// finished-call line; its one piece of code, RetryPolicy, is the service config those tests
// and the bench module's interop tests share. internal/firstlaw's suites prove, with the
// same options on, that following attempts leaves the calls as they are.
//
// The client under test is wired as a user wires it:
//
//	conn, err := grpc.NewClient(target, append(interceptors.DialOptions(
//		tracing.NewClient(tracing.WithAttemptSpans()),
//		metrics.NewClientMetrics(metrics.WithAttempts()),
//		logging.NewClient(logger),
//	), grpc.WithDefaultServiceConfig(retryPolicy))...)
package attempts

// Package testsrv is the shared test harness: it starts a real gRPC server serving the demo
// service (or whatever the caller registers) and a real grpc-go client connected to it, over
// bufconn by default or over loopback TCP on request, and tears both down with t.Cleanup.
//
//	h := testsrv.Start(t, testsrv.WithServerOptions(opts...), testsrv.WithDialOptions(dopts...))
//	resp, err := h.Demo().Echo(ctx, &demov1.EchoRequest{Message: "hi"})
//
// Packages that use it verify in TestMain that no goroutine outlives the tests:
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
package testsrv

// Package browsertest drives the status page in a real headless Chromium. It is a Go module of
// its own so that the library's go.mod does not carry chromedp.
//
// Its test starts a real gRPC server and client with the page in their stacks, makes a
// scripted mix of calls, takes a dependency down and up again, then loads the page in
// Chromium and checks the DOM (a row per called method with its counts, a failed call whose
// trace id links through the trace URL template, the outage in the health timeline) and that
// the browser's console shows no error. It saves a screenshot to $GRPCOBS_STATUSPAGE_SCREENSHOT
// (`make test` sets .demo/statuspage-browsertest.png), or to the test's artifact directory
// (go test -artifacts).
//
// Chromium is Debian's (/usr/bin/chromium, `make` installs it); the test skips without it,
// unless GRPCOBS_REQUIRE_TOOLS=1, when it fails. cmd/screenshot saves a screenshot of any page,
// for `make demo`.
package browsertest

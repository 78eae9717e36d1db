// Package statuspage serves a live status page for the people who run a gRPC service: what
// grpc-go's /debug/requests and OpenCensus' zpages showed, for a grpcobs stack, with no
// backend at all. An engineer opens it on one instance before opening a dashboard.
//
// A Page is a reportable for both sides of the grpcobs stack and an http.Handler. It shows,
// per method and side (the calls the server handles, the calls its clients make):
//
//   - calls per second over the last minute and the last ten minutes;
//   - the error ratio over the same windows, by grpcobs' status policy (interceptors.DefaultStatusPolicy unless WithStatusPolicy:
//     on a server only codes that mean the server failed are errors);
//   - latency p50, p95 and p99 over the last ten minutes, and a latency histogram drawn as SVG
//     by the server;
//   - the calls in flight, and the calls and errors since the page began;
//
// then, per side, the last failed calls and the slowest calls of the last ten minutes, each
// with its method, code, duration, start time and trace id (a link when WithTraceURL is set and
// the call's span was sampled). With WithHealth it also shows every health service's status,
// every check's last result, and a timeline of their transitions.
//
// The page has no script, loads nothing from anywhere (it works offline), and reloads itself
// every few seconds (WithRefresh) unless paused with its toggle link (?refresh=off). The same
// data is served as JSON with ?format=json.
//
// Wiring, tracing first so that the page finds each call's trace id:
//
//	page, err := statuspage.New(
//		statuspage.WithHealth(healthRegistry),
//		statuspage.WithTraceURL("http://jaeger:16686/trace/{trace_id}"),
//	)
//	if err != nil {
//		return err
//	}
//	defer page.Close()
//
//	srv := grpc.NewServer(interceptors.ServerOptions(tracing.NewServer(), srvMetrics, page, logging.NewServer(logger))...)
//	conn, err := grpc.NewClient(target, append(interceptors.DialOptions(tracing.NewClient(), page),
//		grpc.WithTransportCredentials(creds))...)
//
//	adminMux.Handle("GET /debug/grpcobs", page)
//
// Mount it only where operators reach it: an admin listener on a private interface, behind
// the authentication your other debug endpoints have. It shows method names, status messages,
// health errors and trace ids. It never shows metadata values, payloads or baggage values, and
// escapes everything it shows.
//
// Cost: memory is fixed per known method and side (a ring of ten-second buckets over ten
// minutes, about 11 KB) plus fixed-size lists of recent calls. Calls to methods that generated
// code linked into the program does not declare (a scanner's random names) are counted in one
// row, "other", so callers cannot grow the page. Recording a call takes a few atomic
// additions and no lock, except when the call failed, is among the slowest, or is the first of
// a ten-second bucket; it allocates nothing unless the call has a span (one small reporter to
// keep its trace id) or is counted as other. docs/statuspage.md has the measured figures.
package statuspage

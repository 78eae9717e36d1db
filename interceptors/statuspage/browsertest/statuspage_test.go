package browsertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/statuspage"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	oteltrace "go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	traceURL    = "http://jaeger.invalid:16686/trace/{trace_id}"
	demoService = "/grpcobs.demo.v1.DemoService/"
)

// chromium returns the browser's path; without one the test skips, or fails when
// GRPCOBS_REQUIRE_TOOLS=1 (as `make test` sets it).
func chromium(t *testing.T) string {
	t.Helper()
	path, err := FindChromium()
	if err != nil {
		if os.Getenv("GRPCOBS_REQUIRE_TOOLS") == "1" {
			t.Fatalf("GRPCOBS_REQUIRE_TOOLS=1: %v", err)
		}
		t.Skip(err)
	}
	return path
}

// The status page of a real server, after a scripted mix of calls and a dependency outage,
// as a real browser shows it.
func TestStatusPageInChromium(t *testing.T) {
	browserPath := chromium(t)

	// A dependency that the test takes down and brings back.
	var down atomic.Bool
	logger := logrus.New()
	logger.SetOutput(io.Discard)
	registry := health.NewRegistry(health.WithLogger(logger))
	if err := registry.Register("postgres", health.CheckFunc(func(context.Context) error {
		if down.Load() {
			return errors.New("dial tcp 10.0.0.7:5432: connect: connection refused")
		}
		return nil
	}), health.Every(20*time.Millisecond), health.FailureThreshold(2)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	registry.Start(context.Background())
	t.Cleanup(registry.Stop)

	page, err := statuspage.New(
		statuspage.WithHealth(registry),
		statuspage.WithHealthPolling(10*time.Millisecond, 100),
		statuspage.WithTraceURL(traceURL),
	)
	if err != nil {
		t.Fatalf("statuspage.New: %v", err)
	}
	t.Cleanup(page.Close)

	rec := tracetest.NewSpanRecorder()
	tp := trace.NewTracerProvider(trace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	h := testsrv.Start(t, testsrv.WithTCP(),
		testsrv.WithServerOptions(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tp)), page)...),
		testsrv.WithDialOptions(interceptors.DialOptions(tracing.NewClient(tracing.WithTracerProvider(tp)), page)...))
	url := serveHTTP(t, page)

	makeCalls(t, h.Demo())
	// A call whose method name is markup that would run if the page let it.
	hostile := "/x.Y/<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">"
	if err := h.Conn.Invoke(context.Background(), hostile, &demov1.EchoRequest{}, &demov1.EchoResponse{}); status.Code(err) != codes.Unimplemented {
		t.Fatalf("call %q: %v, want UNIMPLEMENTED", hostile, err)
	}
	waitForCheck(t, registry, health.Passing)
	down.Store(true)
	waitForCheck(t, registry, health.Failing)
	down.Store(false)
	waitForCheck(t, registry, health.Passing)

	browser, err := Start(context.Background(), browserPath, t.TempDir())
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(browser.Close)
	ctx, cancel := context.WithTimeout(browser.Ctx, time.Minute)
	defer cancel()

	if err := chromedp.Do(ctx, chromedp.Navigate(url+"?refresh=off"), chromedp.WaitVisible("#health")); err != nil {
		t.Fatalf("load the page: %v", err)
	}
	dom, err := chromedp.Run(ctx, chromedp.Evaluate[pageDOM](readDOM))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}

	// A row per called method, on each side, with its calls and its errors by the status
	// policy: NOT_FOUND is an error on the client only.
	wantServer := map[string]counts{
		demoService + "Echo": {8, 2}, demoService + "ServerStream": {2, 0},
		demoService + "ClientStream": {1, 0}, demoService + "Chat": {1, 1},
	}
	// The server never saw the hostile call: grpc-go answers an unknown service before any
	// interceptor runs.
	wantClient := map[string]counts{
		demoService + "Echo": {8, 3}, demoService + "ServerStream": {2, 0},
		demoService + "ClientStream": {1, 0}, demoService + "Chat": {1, 1}, "/other/other": {1, 1},
	}
	for name, tc := range map[string]struct{ got, want map[string]counts }{
		"server": {dom.Server, wantServer}, "client": {dom.Client, wantClient},
	} {
		if fmt.Sprint(tc.got) != fmt.Sprint(tc.want) {
			t.Errorf("%s rows (calls, errors): %v, want %v", name, tc.got, tc.want)
		}
	}

	// The hostile name is text: the newest failed client call shows it, and nothing ran.
	if len(dom.ClientFailures) == 0 || dom.ClientFailures[0].Method != hostile+" (counted as other)" || dom.ClientFailures[0].Code != "Unimplemented" {
		t.Errorf("failed client calls %+v, want the hostile name first, UNIMPLEMENTED", dom.ClientFailures)
	}
	if dom.Pwned != nil {
		t.Errorf("markup in a method name ran: window.pwned = %v", dom.Pwned)
	}

	// The newest failed server call links to its trace through the template.
	if len(dom.Failures) == 0 {
		t.Fatal("no failed server call on the page")
	}
	f := dom.Failures[0]
	if f.Code != "Unavailable" || f.Method != demoService+"Chat" {
		t.Errorf("newest failed server call %+v, want Chat UNAVAILABLE", f)
	}
	if want := strings.ReplaceAll(traceURL, "{trace_id}", f.TraceText); f.Href != want {
		t.Errorf("trace link %q, want %q", f.Href, want)
	}
	if !slices.Contains(serverErrorTraces(rec), f.TraceText) {
		t.Errorf("trace id %q is not that of a failed server span", f.TraceText)
	}

	// The outage and the recovery are in the timeline, newest first.
	if !containsInOrder(dom.Timeline, "service readiness NOT_SERVING→SERVING", "check postgres failing→passing",
		"service readiness SERVING→NOT_SERVING", "check postgres passing→failing") {
		t.Errorf("timeline %q lacks the outage and the recovery", dom.Timeline)
	}
	if dom.Scripts != 0 {
		t.Errorf("the page has %d script elements", dom.Scripts)
	}
	if errs := browser.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("the browser console shows errors: %q", errs)
	}

	png, err := browser.Screenshot(url + "?refresh=off")
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	out := os.Getenv("GRPCOBS_STATUSPAGE_SCREENSHOT")
	if out == "" {
		out = filepath.Join(t.ArtifactDir(), "statuspage.png")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatalf("save the screenshot: %v", err)
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatalf("save the screenshot: %v", err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(png))
	if errs := browser.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("the browser console shows errors: %q", errs)
	}
}

// The console check sees what a page writes to the console, so that its silence means
// something.
func TestConsoleErrorsAreSeen(t *testing.T) {
	browser, err := Start(context.Background(), chromium(t), t.TempDir())
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(browser.Close)
	page := "data:text/html,<script>console.error('boom'); undefinedFunction();</script>"
	if err := chromedp.Do(browser.Ctx, chromedp.Navigate(page)); err != nil {
		t.Fatalf("load the page: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(browser.ConsoleErrors()) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("console errors %q, want the console.error and the exception", browser.ConsoleErrors())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// makeCalls is the scripted mix: every kind of call, successes, server errors (INTERNAL,
// UNAVAILABLE) and a caller's error (NOT_FOUND).
func makeCalls(t *testing.T, demo demov1.DemoServiceClient) {
	t.Helper()
	ctx := context.Background()
	for _, code := range []codes.Code{codes.OK, codes.OK, codes.OK, codes.OK, codes.OK, codes.NotFound, codes.Internal, codes.Internal} {
		if _, err := demo.Echo(ctx, &demov1.EchoRequest{Message: "hi", FailCode: int32(code)}); status.Code(err) != code {
			t.Fatalf("Echo with fail_code %d: %v", code, err)
		}
	}
	for range 2 {
		stream, err := demo.ServerStream(ctx, &demov1.ServerStreamRequest{Count: 3})
		if err != nil {
			t.Fatalf("ServerStream: %v", err)
		}
		for {
			if _, err := stream.Recv(); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("ServerStream: %v", err)
			}
		}
	}
	cs, err := demo.ClientStream(ctx)
	if err != nil {
		t.Fatalf("ClientStream: %v", err)
	}
	for range 3 {
		if err := cs.Send(&demov1.ClientStreamRequest{Message: "m"}); err != nil {
			t.Fatalf("ClientStream Send: %v", err)
		}
	}
	if _, err := cs.CloseAndRecv(); err != nil {
		t.Fatalf("ClientStream: %v", err)
	}
	chat, err := demo.Chat(ctx)
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if err := chat.Send(&demov1.ChatRequest{FailCode: int32(codes.Unavailable)}); err != nil {
		t.Fatalf("Chat Send: %v", err)
	}
	if _, err := chat.Recv(); status.Code(err) != codes.Unavailable {
		t.Fatalf("Chat: %v, want UNAVAILABLE", err)
	}
}

// serveHTTP serves the page on loopback at /debug/grpcobs and returns its URL.
func serveHTTP(t *testing.T, page http.Handler) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /debug/grpcobs", page)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return "http://" + lis.Addr().String() + "/debug/grpcobs"
}

func waitForCheck(t *testing.T, registry *health.Registry, want health.CheckStatus) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for registry.Report().Checks[0].Status != want {
		if time.Now().After(deadline) {
			t.Fatalf("the check is not %v after 10s", want)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Let the page's poll see it.
	time.Sleep(50 * time.Millisecond)
}

func serverErrorTraces(rec *tracetest.SpanRecorder) []string {
	var ids []string
	for _, s := range rec.Ended() {
		if s.SpanKind() == oteltrace.SpanKindServer && s.Status().Code.String() == "Error" {
			ids = append(ids, s.SpanContext().TraceID().String())
		}
	}
	return ids
}

// containsInOrder reports whether all holds want in this order, not necessarily adjacent.
func containsInOrder(all []string, want ...string) bool {
	i := 0
	for _, s := range all {
		if i < len(want) && s == want[i] {
			i++
		}
	}
	return i == len(want)
}

type counts [2]int // calls, errors

type failedCall struct{ Method, Code, Href, TraceText string }

// pageDOM is what readDOM returns.
type pageDOM struct {
	Server, Client map[string]counts
	Failures       []failedCall // the server's
	ClientFailures []failedCall
	Timeline       []string
	Scripts        int
	Pwned          any
}

// readDOM reads, in the browser, what the test asserts on.
const readDOM = `(() => {
  const rows = side => Object.fromEntries(Array.from(document.querySelectorAll('#' + side + ' tr.method')).map(r =>
    [r.dataset.method, [Number(r.querySelector('td.calls').textContent), Number(r.querySelector('td.errors').textContent)]]));
  const failures = side => Array.from(document.querySelectorAll('#' + side + ' table.failures tr.call')).map(r => {
    const a = r.querySelector('td.trace a');
    return {Method: r.querySelector('td.name').textContent.trim(), Code: r.querySelector('td.code').textContent,
      Href: a ? a.getAttribute('href') : '', TraceText: r.querySelector('td.trace').textContent.trim()};
  });
  return {
    Server: rows('server'),
    Client: rows('client'),
    Failures: failures('server'),
    ClientFailures: failures('client'),
    Timeline: Array.from(document.querySelectorAll('#health tr.transition')).map(r =>
      Array.from(r.cells).slice(1, 5).map(c => c.textContent.trim()).join(' ').replace(/ (\S+) (\S+)$/, ' $1→$2')),
    Scripts: document.scripts.length,
    Pwned: window.pwned === undefined ? null : window.pwned,
  };
})()`

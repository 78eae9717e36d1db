package statuspage_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/statuspage"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const demoService = "grpcobs.demo.v1.DemoService"

// Each side counts each method's calls and errors by the status policy: NOT_FOUND is the
// caller's problem on the server and an error on the client; INTERNAL is an error on both.
func TestCountsCallsPerMethodAndSide(t *testing.T) {
	page := newPage(t)
	h, rec := tracedHarness(t, page)
	ctx := context.Background()
	demo := h.Demo()
	for _, failCode := range []int32{0, 0, 0, int32(codes.NotFound), int32(codes.Internal), int32(codes.Internal)} {
		_, err := demo.Echo(ctx, &demov1.EchoRequest{Message: "hi", FailCode: failCode})
		if got := status.Code(err); got != codes.Code(failCode) {
			t.Fatalf("Echo with fail_code %d: code %v", failCode, got)
		}
	}
	stream, err := demo.ServerStream(ctx, &demov1.ServerStreamRequest{Count: 3})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	for {
		if _, err := stream.Recv(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("ServerStream Recv: %v", err)
		}
	}

	s := readStatus(t, page)
	for _, tc := range []struct {
		name             string
		side             sideRows
		calls, errs      int64
		wantFailureCodes []string
	}{
		{"server", s.Server, 6, 2, []string{"Internal", "Internal"}},
		{"client", s.Client, 6, 3, []string{"Internal", "Internal", "NotFound"}},
	} {
		echo := tc.side.row(t, demoService, "Echo")
		if echo.Calls != tc.calls || echo.Errors != tc.errs || echo.InFlight != 0 || echo.Type != "unary" {
			t.Errorf("%s Echo row: calls %d errors %d in flight %d type %q, want %d %d 0 unary",
				tc.name, echo.Calls, echo.Errors, echo.InFlight, echo.Type, tc.calls, tc.errs)
		}
		if want := float64(tc.errs) / float64(tc.calls); echo.ErrorRatio1m != want || echo.ErrorRatio10m != want {
			t.Errorf("%s Echo error ratios %v, %v, want %v", tc.name, echo.ErrorRatio1m, echo.ErrorRatio10m, want)
		}
		if echo.CallsPerSecond1m <= 0 || echo.CallsPerSecond10m <= 0 {
			t.Errorf("%s Echo rates %v, %v, want > 0", tc.name, echo.CallsPerSecond1m, echo.CallsPerSecond10m)
		}
		var inHistogram int64
		for _, b := range echo.Histogram {
			inHistogram += b.Count
		}
		if inHistogram != tc.calls || len(echo.Histogram) != 19 || echo.Histogram[18].LESeconds != nil {
			t.Errorf("%s Echo histogram holds %d calls in %d buckets, want %d in 19 ending unbounded", tc.name, inHistogram, len(echo.Histogram), tc.calls)
		}
		if !(echo.P50Seconds > 0 && echo.P50Seconds <= echo.P95Seconds && echo.P95Seconds <= echo.P99Seconds) {
			t.Errorf("%s Echo latency p50 %v p95 %v p99 %v, want 0 < p50 ≤ p95 ≤ p99", tc.name, echo.P50Seconds, echo.P95Seconds, echo.P99Seconds)
		}
		if stream := tc.side.row(t, demoService, "ServerStream"); stream.Calls != 1 || stream.Errors != 0 || stream.Type != "server_stream" {
			t.Errorf("%s ServerStream row: %+v", tc.name, stream)
		}
		if len(tc.side.Methods) != 2 {
			t.Errorf("%s has %d rows, want Echo and ServerStream", tc.name, len(tc.side.Methods))
		}
		var codesGot []string
		for _, c := range tc.side.RecentFailures {
			codesGot = append(codesGot, c.Code)
			if c.Service != demoService || c.Method != "Echo" || c.CountedAs != "" {
				t.Errorf("%s failed call %+v, want %s/Echo", tc.name, c, demoService)
			}
			if c.TraceID == "" || c.TraceURL != "" {
				t.Errorf("%s failed call: trace id %q and URL %q, want an id and no URL (no template)", tc.name, c.TraceID, c.TraceURL)
			}
		}
		// Newest first: the INTERNALs came last.
		if !slices.Equal(codesGot, tc.wantFailureCodes) {
			t.Errorf("%s failed calls' codes %v, want %v", tc.name, codesGot, tc.wantFailureCodes)
		}
		if len(tc.side.Slowest) != 7 {
			t.Errorf("%s slowest calls: %d, want all 7", tc.name, len(tc.side.Slowest))
		}
		for i := 1; i < len(tc.side.Slowest); i++ {
			if tc.side.Slowest[i].DurationSeconds > tc.side.Slowest[i-1].DurationSeconds {
				t.Errorf("%s slowest calls not slowest first: %+v", tc.name, tc.side.Slowest)
			}
		}
	}

	// The failed server calls' trace ids are those of their spans.
	spanTraces := map[string]bool{}
	for _, sp := range rec.Ended() {
		if sp.SpanKind() == trace.SpanKindServer && sp.Name() == demoService+"/Echo" {
			spanTraces[sp.SpanContext().TraceID().String()] = true
		}
	}
	for _, c := range s.Server.RecentFailures {
		if !spanTraces[c.TraceID] {
			t.Errorf("failed call's trace id %s is no span's", c.TraceID)
		}
	}
}

// With a trace URL, the failed call's trace id links to its trace.
func TestTraceIDsLinkThroughTheTemplate(t *testing.T) {
	page := newPage(t, statuspage.WithTraceURL("http://jaeger.example:16686/trace/{trace_id}?x=1"))
	h, _ := tracedHarness(t, page)
	_, err := h.Demo().Echo(context.Background(), &demov1.EchoRequest{FailCode: int32(codes.Unavailable)})
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("Echo: %v", err)
	}
	s := readStatus(t, page)
	if len(s.Server.RecentFailures) != 1 {
		t.Fatalf("server failures: %+v", s.Server.RecentFailures)
	}
	c := s.Server.RecentFailures[0]
	if want := "http://jaeger.example:16686/trace/" + c.TraceID + "?x=1"; c.TraceURL != want || len(c.TraceID) != 32 {
		t.Errorf("trace URL %q, want %q", c.TraceURL, want)
	}
	if c.Message != "failure requested with fail_code 14" {
		t.Errorf("message %q", c.Message)
	}
	_, body := get(t, page, "/debug/grpcobs")
	if want := `<a href="` + c.TraceURL + `" rel="noreferrer noopener" target="_blank">` + c.TraceID + `</a>`; !strings.Contains(string(body), want) {
		t.Errorf("the page has no %s", want)
	}
}

// A call whose span was not sampled has a trace id, but no trace to link to.
func TestUnsampledTraceIDsAreText(t *testing.T) {
	page := newPage(t, statuspage.WithTraceURL("http://jaeger.example:16686/trace/{trace_id}"))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	h := testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tp)), page)...))
	if _, err := h.Demo().Echo(context.Background(), &demov1.EchoRequest{FailCode: int32(codes.Internal)}); status.Code(err) != codes.Internal {
		t.Fatalf("Echo: %v", err)
	}
	failures := readStatus(t, page).Server.RecentFailures
	if len(failures) != 1 || len(failures[0].TraceID) != 32 || failures[0].TraceURL != "" {
		t.Fatalf("failures %+v, want one with a trace id and no URL", failures)
	}
	_, body := get(t, page, "/debug/grpcobs")
	if !strings.Contains(string(body), `<td class="trace">`+failures[0].TraceID+`</td>`) {
		t.Errorf("the unsampled trace id is not plain text in its cell")
	}
}

// Given before tracing, the page still runs after it, and finds the trace id.
func TestPageRunsAfterTracingInAnyOrder(t *testing.T) {
	page := newPage(t)
	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	h := testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(page, tracing.NewServer(tracing.WithTracerProvider(tp)))...))
	if _, err := h.Demo().Echo(context.Background(), &demov1.EchoRequest{FailCode: int32(codes.Internal)}); status.Code(err) != codes.Internal {
		t.Fatalf("Echo: %v", err)
	}
	if failures := readStatus(t, page).Server.RecentFailures; len(failures) != 1 || len(failures[0].TraceID) != 32 {
		t.Errorf("failures %+v, want one with a trace id", failures)
	}
}

// A stream the caller abandons ends on both sides: nothing stays in flight.
func TestAbandonedStreamLeavesNothingInFlight(t *testing.T) {
	page := newPage(t)
	h, _ := tracedHarness(t, page)
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := h.Demo().ServerStream(ctx, &demov1.ServerStreamRequest{Count: 1000, DelayMs: 5})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("Recv: %v", err)
	}
	if got := readStatus(t, page).Client.row(t, demoService, "ServerStream").InFlight; got != 1 {
		t.Errorf("client in flight %d while the stream runs, want 1", got)
	}
	cancel() // and never read again
	waitFor(t, func() bool {
		s := readStatus(t, page)
		client, server := s.Client.row(t, demoService, "ServerStream"), s.Server.row(t, demoService, "ServerStream")
		return client.InFlight == 0 && server.InFlight == 0 && client.Calls == 1 && server.Calls == 1
	})
	if c := readStatus(t, page).Client.RecentFailures; len(c) != 1 || c[0].Code != "Canceled" {
		t.Errorf("client failures %+v, want the cancelled stream", c)
	}
}

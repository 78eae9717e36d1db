package statuspage_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/statuspage"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var echoMeta = interceptors.CallMeta{Service: "grpcobs.demo.v1.DemoService", Method: "Echo", Typ: interceptors.Unary}

// serverCall reports one server call to Echo that took d and ended with err, at the clock's time.
func serverCall(page *statuspage.Page, d time.Duration, err error) {
	rep, _ := page.ServerReporter(context.Background(), echoMeta)
	rep.PostCall(err, d)
}

// Rates are calls per second over what the window covers, the one-minute window forgets what
// is older, and latencies come from the ten-minute histogram.
func TestWindows(t *testing.T) {
	clk := newClock()
	page := newPage(t, statuspage.WithClock(clk.Now))
	// Minute 0: 600 calls of 3ms, a tenth of them failing with UNAVAILABLE. Then 9 minutes
	// later, 60 calls of 40ms over 30 s.
	for i := range 600 {
		var err error
		if i%10 == 0 {
			err = status.Error(codes.Unavailable, "down")
		}
		serverCall(page, 3*time.Millisecond, err)
		clk.Advance(100 * time.Millisecond)
	}
	clk.Advance(8 * time.Minute)
	for range 60 {
		serverCall(page, 40*time.Millisecond, nil)
		clk.Advance(500 * time.Millisecond)
	}
	echo := readStatus(t, page).Server.row(t, demoService, "Echo")
	if echo.Calls != 660 || echo.Errors != 60 {
		t.Errorf("calls %d errors %d, want 660 and 60", echo.Calls, echo.Errors)
	}
	// The minute window (six 10 s buckets and the current one) holds the 60 recent calls.
	if echo.ErrorRatio1m != 0 || !near(echo.CallsPerSecond1m, 60/60.0) {
		t.Errorf("1m: rate %v error ratio %v, want 1/s and 0", echo.CallsPerSecond1m, echo.ErrorRatio1m)
	}
	// Ten minutes hold everything, counted since the page began 9.5 minutes ago.
	if !near(echo.CallsPerSecond10m, 660/570.0) || !near(echo.ErrorRatio10m, 60/660.0) {
		t.Errorf("10m: rate %v error ratio %v, want %v and %v", echo.CallsPerSecond10m, echo.ErrorRatio10m, 660/570.0, 60/660.0)
	}
	// 600 of 660 calls took 3 ms (bucket 2.5–5 ms), 60 took 40 ms (bucket 25–50 ms).
	if echo.P50Seconds <= 0.0025 || echo.P50Seconds > 0.005 || echo.P95Seconds <= 0.025 || echo.P99Seconds > 0.05 {
		t.Errorf("latency p50 %v p95 %v p99 %v", echo.P50Seconds, echo.P95Seconds, echo.P99Seconds)
	}

	// Two minutes later the minute window is empty, the ten-minute one forgot minute 0.
	clk.Advance(2 * time.Minute)
	echo = readStatus(t, page).Server.row(t, demoService, "Echo")
	if echo.CallsPerSecond1m != 0 || !near(echo.CallsPerSecond10m, 60/float64(10*60+7)) || echo.ErrorRatio10m != 0 {
		t.Errorf("later: 1m rate %v, 10m rate %v error ratio %v", echo.CallsPerSecond1m, echo.CallsPerSecond10m, echo.ErrorRatio10m)
	}
}

// near reports whether got is within 2% of want: the windows' edges move in 10 s steps.
func near(got, want float64) bool { return math.Abs(got-want) <= 0.02*want }

// A call stays in flight from its start to its end.
func TestInFlight(t *testing.T) {
	page := newPage(t)
	rep, _ := page.ServerReporter(context.Background(), echoMeta)
	if got := readStatus(t, page).Server.row(t, demoService, "Echo").InFlight; got != 1 {
		t.Errorf("in flight %d during the call, want 1", got)
	}
	rep.PostCall(nil, time.Millisecond)
	if got := readStatus(t, page).Server.row(t, demoService, "Echo").InFlight; got != 0 {
		t.Errorf("in flight %d after the call, want 0", got)
	}
}

// The slowest list keeps the slowest calls of the last ten minutes; the failures list the last
// ones, newest first.
func TestRecentCalls(t *testing.T) {
	clk := newClock()
	page := newPage(t, statuspage.WithClock(clk.Now), statuspage.WithRecentCalls(3))
	for _, ms := range []int{50, 10, 70, 20, 60, 30} {
		serverCall(page, time.Duration(ms)*time.Millisecond, status.Error(codes.Internal, "call of "+time.Duration(ms*1e6).String()))
		clk.Advance(time.Second)
	}
	s := readStatus(t, page).Server
	if got := durationsMS(s.Slowest); !slices.Equal(got, []int{70, 60, 50}) {
		t.Errorf("slowest %v, want [70 60 50]", got)
	}
	var messages []string
	for _, c := range s.RecentFailures {
		messages = append(messages, c.Message)
	}
	if want := []string{"call of 30ms", "call of 60ms", "call of 20ms"}; !slices.Equal(messages, want) {
		t.Errorf("failures %v, want %v", messages, want)
	}

	// Ten minutes on, the slow calls are forgotten and faster ones take their place.
	clk.Advance(11 * time.Minute)
	serverCall(page, time.Millisecond, nil)
	if got := durationsMS(readStatus(t, page).Server.Slowest); !slices.Equal(got, []int{1}) {
		t.Errorf("slowest after ten minutes %v, want [1]", got)
	}
	// A client call that ended with an error that is not a status counts as UNKNOWN.
	rep, _ := page.ClientReporter(context.Background(), echoMeta)
	rep.PostCall(errors.New("plain"), time.Millisecond)
	if c := readStatus(t, page).Client.RecentFailures; len(c) != 1 || c[0].Code != "Unknown" {
		t.Errorf("client failures %+v", c)
	}
}

func durationsMS(calls []call) []int {
	var out []int
	for _, c := range calls {
		out = append(out, int(math.Round(c.DurationSeconds*1000)))
	}
	return out
}

package logging_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func TestFiltersSeeTheCallAndItsOutcome(t *testing.T) {
	var mu sync.Mutex
	var seen []logging.Call
	record := func(c logging.Call) bool {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, c)
		return c.Code != codes.NotFound
	}
	r := startRig(t, rigConfig{serverOpts: []logging.Option{
		logging.WithStartLine(), logging.WithFilter(record), logging.WithFilter(nil),
	}})
	_ = callServerStream(noDeadline(t), r.Demo(), int32(codes.NotFound))
	_ = callServerStream(noDeadline(t), r.Demo(), 0)

	entries := r.serverLog.wait(t, 3) // both start lines, and the finish line of the OK call
	spans := r.serverSpans.rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d server spans, want 2", len(spans))
	}
	d := func(i int) time.Duration { return r.serverSpans.duration(t, spans[i]) }
	call := logging.Call{Service: demoService, Method: "ServerStream", Type: interceptors.ServerStream}
	failed := call
	failed.Finished, failed.Code, failed.Duration = true, codes.NotFound, d(0)
	failed.Err = status.Error(codes.NotFound, "failure requested with fail_code 5")
	succeeded := call
	succeeded.Finished, succeeded.Duration = true, d(1)

	mu.Lock()
	defer mu.Unlock()
	want := []logging.Call{call, failed, call, succeeded}
	if diff := cmp.Diff(want, seen, cmp.Comparer(sameStatus)); diff != "" {
		t.Errorf("calls the filter saw (-want +got):\n%s", diff)
	}
	if got := []string{entries[0].Message, entries[1].Message, entries[2].Message}; !cmp.Equal(got, []string{"started call", "started call", "finished call"}) {
		t.Errorf("logged %q, want both start lines and one finish line", got)
	}
	if got := entries[2].Data["grpc.code"]; got != "OK" {
		t.Errorf("the finish line logged is the %v call's, want the OK one's", got)
	}
	if got, want := (logging.Call{Service: "s.S", Method: "M"}).FullMethod(), "/s.S/M"; got != want {
		t.Errorf("FullMethod = %q, want %q", got, want)
	}
}

// sameStatus compares errors by the status they carry (nil is OK).
func sameStatus(a, b error) bool {
	sa, sb := status.Convert(a), status.Convert(b)
	return sa.Code() == sb.Code() && sa.Message() == sb.Message()
}

func TestSampleSuccessesLogsOneInNSuccessesAndEveryFailure(t *testing.T) {
	r := startRig(t, rigConfig{serverOpts: []logging.Option{logging.WithFilter(logging.SampleSuccesses(3))}})
	plan := []codes.Code{
		codes.OK, codes.OK, codes.Internal, codes.OK, codes.OK, codes.NotFound, codes.OK, codes.OK, codes.OK,
	}
	for _, code := range plan {
		_ = callEcho(noDeadline(t), r.Demo(), int32(code))
	}
	r.clientLog.wait(t, len(plan)) // every call is over
	var got []string
	for _, e := range r.serverLog.all() {
		got = append(got, e.Data["grpc.code"].(string))
	}
	// Successes 1, 4 and 7 (the first, the fourth, the seventh), and both failures.
	want := []string{"OK", "Internal", "OK", "NotFound", "OK"}
	if !cmp.Equal(got, want) {
		t.Errorf("logged the calls ending with %q, want %q", got, want)
	}
}

func TestHealthChecksAreLoggedOnlyWhenTheyFail(t *testing.T) {
	healthSrv := health.NewServer()
	r := startRig(t, rigConfig{
		serverOpts: []logging.Option{logging.WithStartLine(), logging.WithFilter(logging.HealthChecksOnlyOnFailure())},
		harness: []testsrv.Option{testsrv.WithRegister(func(s *grpc.Server) {
			demov1.RegisterDemoServiceServer(s, demo.NewService())
			healthpb.RegisterHealthServer(s, healthSrv)
		})},
	})
	healthClient := healthpb.NewHealthClient(r.Conn)
	healthSrv.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	if _, err := healthClient.Check(noDeadline(t), &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatalf("Check: %v", err)
	}
	_, err := healthClient.Check(noDeadline(t), &healthpb.HealthCheckRequest{Service: "unknown"})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("Check(unknown) = %v, want NotFound", err)
	}
	if err := callEcho(noDeadline(t), r.Demo(), 0); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	r.clientLog.wait(t, 3)
	var got [][2]any
	for _, e := range r.serverLog.all() {
		got = append(got, [2]any{e.Message, e.Data["grpc.method"]})
	}
	want := [][2]any{{"finished call", "Check"}, {"started call", "Echo"}, {"finished call", "Echo"}}
	if !cmp.Equal(got, want) {
		t.Errorf("logged %v, want %v", got, want)
	}
}

func TestFilterCombinators(t *testing.T) {
	check := logging.Call{Service: "grpc.health.v1.Health", Method: "Check", Finished: true}
	failedCheck := check
	failedCheck.Code = codes.Unavailable
	echo := logging.Call{Service: demoService, Method: "Echo", Finished: true}
	started := logging.Call{Service: demoService, Method: "Echo"}
	always := func(logging.Call) bool { return true }

	for _, tc := range []struct {
		name   string
		filter logging.Filter
		call   logging.Call
		want   bool
	}{
		{"Failed keeps a failure", logging.Failed(), failedCheck, true},
		{"Failed drops a success", logging.Failed(), check, false},
		{"Failed drops a line before the outcome", logging.Failed(), started, false},
		{"Services matches", logging.Services("x.Y", "grpc.health.v1.Health"), check, true},
		{"Services does not match", logging.Services("x.Y"), check, false},
		{"Methods matches with or without the slash", logging.Methods("grpc.health.v1.Health/Check"), check, true},
		{"Methods matches the full method", logging.Methods("/grpcobs.demo.v1.DemoService/Echo"), echo, true},
		{"Methods ignores a malformed name", logging.Methods("Echo"), echo, false},
		{"Not inverts", logging.Not(logging.Failed()), check, true},
		{"Not of nil keeps nothing", logging.Not(nil), check, false},
		{"Any of none keeps nothing", logging.Any(nil), check, false},
		{"Any keeps when one keeps", logging.Any(logging.Failed(), always), check, true},
		{"All of none keeps everything", logging.All(nil), check, true},
		{"All drops when one drops", logging.All(always, logging.Failed()), check, false},
		{"HealthChecksOnlyOnFailure drops a passing check", logging.HealthChecksOnlyOnFailure(), check, false},
		{"HealthChecksOnlyOnFailure keeps a failing check", logging.HealthChecksOnlyOnFailure(), failedCheck, true},
		{"HealthChecksOnlyOnFailure keeps other calls", logging.HealthChecksOnlyOnFailure(), echo, true},
		{"SampleSuccesses below 2 keeps everything", logging.SampleSuccesses(1), echo, true},
		{"SampleSuccesses keeps lines before the outcome", logging.SampleSuccesses(1000), started, true},
	} {
		if got := tc.filter(tc.call); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

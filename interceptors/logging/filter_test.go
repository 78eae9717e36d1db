package logging_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func TestFiltersSeeTheCallAndItsOutcome(t *testing.T) {
	var mu sync.Mutex
	var seen []filter.Call
	record := func(c filter.Call) bool {
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
	call := filter.Call{Service: demoService, Method: "ServerStream", Type: interceptors.ServerStream}
	failed := call
	failed.Finished, failed.Code, failed.Duration = true, codes.NotFound, d(0)
	failed.Err = status.Error(codes.NotFound, "failure requested with fail_code 5")
	succeeded := call
	succeeded.Finished, succeeded.Duration = true, d(1)

	mu.Lock()
	defer mu.Unlock()
	want := []filter.Call{call, failed, call, succeeded}
	if diff := cmp.Diff(want, seen, cmp.Comparer(sameStatus), cmpopts.IgnoreFields(filter.Call{}, "Context")); diff != "" {
		t.Errorf("calls the filter saw (-want +got):\n%s", diff)
	}
	for _, c := range seen {
		if c.Context == nil || !trace.SpanContextFromContext(c.Context).IsValid() {
			t.Errorf("a filter saw the context %v, want the call's, with its server span", c.Context)
		}
	}
	if got := []string{entries[0].Message, entries[1].Message, entries[2].Message}; !cmp.Equal(got, []string{"started call", "started call", "finished call"}) {
		t.Errorf("logged %q, want both start lines and one finish line", got)
	}
	if got := entries[2].Data["grpc.code"]; got != "OK" {
		t.Errorf("the finish line logged is the %v call's, want the OK one's", got)
	}
}

// sameStatus compares errors by the status they carry (nil is OK).
func sameStatus(a, b error) bool {
	sa, sb := status.Convert(a), status.Convert(b)
	return sa.Code() == sb.Code() && sa.Message() == sb.Message()
}

func TestSampleSuccessesLogsOneInNSuccessesAndEveryFailure(t *testing.T) {
	r := startRig(t, rigConfig{serverOpts: []logging.Option{logging.WithFilter(filter.SampleSuccesses(3))}})
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
		serverOpts: []logging.Option{logging.WithStartLine(), logging.WithFilter(filter.HealthChecksOnlyOnFailure())},
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

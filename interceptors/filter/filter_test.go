package filter_test

import (
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/filter"
	"google.golang.org/grpc/codes"
)

func TestFilters(t *testing.T) {
	check := filter.Call{Service: "grpc.health.v1.Health", Method: "Check", Finished: true}
	failedCheck := check
	failedCheck.Code = codes.Unavailable
	checkStarted := filter.Call{Service: "grpc.health.v1.Health", Method: "Check"}
	echo := filter.Call{Service: "grpcobs.demo.v1.DemoService", Method: "Echo", Finished: true}
	started := filter.Call{Service: "grpcobs.demo.v1.DemoService", Method: "Echo"}
	otherEcho := filter.Call{Service: "other.v1.Other", Method: "Echo", Finished: true}
	always := func(filter.Call) bool { return true }

	for _, tc := range []struct {
		name   string
		filter filter.Filter
		call   filter.Call
		want   bool
	}{
		{"Failed keeps a failure", filter.Failed(), failedCheck, true},
		{"Failed drops a success", filter.Failed(), check, false},
		{"Failed drops a call before the outcome", filter.Failed(), started, false},
		{"Services matches", filter.Services("x.Y", "grpc.health.v1.Health"), check, true},
		{"Services does not match", filter.Services("x.Y"), check, false},
		{"Methods matches without the slash", filter.Methods("grpc.health.v1.Health/Check"), check, true},
		{"Methods matches the full method", filter.Methods("/grpcobs.demo.v1.DemoService/Echo"), echo, true},
		{"Methods tells services apart", filter.Methods("/grpcobs.demo.v1.DemoService/Echo"), otherEcho, false},
		{"Methods ignores a name without a method", filter.Methods("grpcobs.demo.v1.DemoService"), echo, false},
		{"HealthChecks matches a health check", filter.HealthChecks(), check, true},
		{"HealthChecks does not match another call", filter.HealthChecks(), echo, false},
		{"Not inverts", filter.Not(filter.HealthChecks()), echo, true},
		{"Not of nil keeps nothing", filter.Not(nil), check, false},
		{"Any of none keeps nothing", filter.Any(nil), check, false},
		{"Any keeps when one keeps", filter.Any(filter.Failed(), always), check, true},
		{"Any drops when none keeps", filter.Any(filter.Failed(), filter.Services("x.Y")), check, false},
		{"All of none keeps everything", filter.All(nil), check, true},
		{"All drops when one drops", filter.All(always, filter.Failed()), check, false},
		{"All keeps when every one keeps", filter.All(always, filter.HealthChecks()), check, true},
		{"HealthChecksOnlyOnFailure drops a passing check", filter.HealthChecksOnlyOnFailure(), check, false},
		{"HealthChecksOnlyOnFailure keeps a failing check", filter.HealthChecksOnlyOnFailure(), failedCheck, true},
		{"HealthChecksOnlyOnFailure drops a check before its outcome", filter.HealthChecksOnlyOnFailure(), checkStarted, false},
		{"HealthChecksOnlyOnFailure keeps other calls", filter.HealthChecksOnlyOnFailure(), echo, true},
		{"SampleSuccesses below 2 keeps everything", filter.SampleSuccesses(1), echo, true},
		{"SampleSuccesses keeps calls before the outcome", filter.SampleSuccesses(1000), started, true},
	} {
		if got := tc.filter(tc.call); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if got, want := (filter.Call{Service: "s.S", Method: "M"}).FullMethod(), "/s.S/M"; got != want {
		t.Errorf("FullMethod = %q, want %q", got, want)
	}
}

// SampleSuccesses keeps the first of every n successes, and every failure, counting across
// the calls of every signal it is given to.
func TestSampleSuccessesCountsSuccessesOnly(t *testing.T) {
	sample := filter.SampleSuccesses(3)
	ok := filter.Call{Finished: true}
	failed := filter.Call{Finished: true, Code: codes.Internal}
	var got []bool
	for _, c := range []filter.Call{ok, ok, failed, ok, ok, failed, ok} {
		got = append(got, sample(c))
	}
	want := []bool{true, false, true, false, true, true, false}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("kept %v, want %v", got, want)
		}
	}
}

package health_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func passes(context.Context) error { return nil }

func TestRegisterRejectsBadInputAndChangesNothing(t *testing.T) {
	var nilFunc health.CheckFunc
	for _, tc := range []struct {
		name    string
		check   string
		checker health.Checker
		opts    []health.CheckOption
		wantErr string
	}{
		{name: "empty name", check: "", checker: health.CheckFunc(passes), wantErr: "health: a check needs a name"},
		{name: "duplicate name", check: "db", checker: health.CheckFunc(passes), wantErr: `health: check "db" is already registered`},
		{name: "nil checker", check: "x", checker: nil, wantErr: `health: check "x" has a nil checker`},
		{name: "nil CheckFunc", check: "x", checker: nilFunc, wantErr: `health: check "x" has a nil checker`},
		{name: "name not UTF-8", check: "x\xff", checker: health.CheckFunc(passes), wantErr: `health: check name "x\xff" is not valid UTF-8`},
		{
			name: "gated service not UTF-8", check: "x", checker: health.CheckFunc(passes),
			opts:    []health.CheckOption{health.Gates("ok", "bad\xfe")},
			wantErr: `health: check "x": service name "bad\xfe" is not valid UTF-8`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newRegistry(t)
			if err := r.Register("db", health.CheckFunc(passes)); err != nil {
				t.Fatalf("Register(db): %v", err)
			}
			before := r.Report()

			err := r.Register(tc.check, tc.checker, tc.opts...)
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("Register error = %v, want %q", err, tc.wantErr)
			}
			if diff := cmp.Diff(before, r.Report()); diff != "" {
				t.Errorf("a failed Register changed the registry (-before +after):\n%s", diff)
			}
		})
	}
}

func TestNewRegistryServesTheBaseServices(t *testing.T) {
	r, _ := newRegistry(t)
	want := health.Report{
		Services: map[string]healthpb.HealthCheckResponse_ServingStatus{
			health.Overall: serving, health.Liveness: serving, health.Readiness: serving,
		},
		Checks: []health.CheckReport{},
	}
	if diff := cmp.Diff(want, r.Report()); diff != "" {
		t.Errorf("Report of a new registry (-want +got):\n%s", diff)
	}
}

func TestGatesDecideWhichServicesAPendingCheckHolds(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []health.CheckOption
		want map[string]healthpb.HealthCheckResponse_ServingStatus
	}{
		{
			name: "default gates Overall and Readiness, never Liveness",
			want: map[string]healthpb.HealthCheckResponse_ServingStatus{"": notServing, "liveness": serving, "readiness": notServing},
		},
		{
			name: "Gates(Liveness) gates only liveness",
			opts: []health.CheckOption{health.Gates(health.Liveness)},
			want: map[string]healthpb.HealthCheckResponse_ServingStatus{"": serving, "liveness": notServing, "readiness": serving},
		},
		{
			name: "a gRPC service name becomes a health service",
			opts: []health.CheckOption{health.Gates("pkg.Svc", "pkg.Svc", health.Readiness)},
			want: map[string]healthpb.HealthCheckResponse_ServingStatus{"": serving, "liveness": serving, "readiness": notServing, "pkg.Svc": notServing},
		},
		{
			name: "Gates() with no services keeps the default",
			opts: []health.CheckOption{health.Gates()},
			want: map[string]healthpb.HealthCheckResponse_ServingStatus{"": notServing, "liveness": serving, "readiness": notServing},
		},
		{
			name: "NonCritical gates nothing but its services exist",
			opts: []health.CheckOption{health.NonCritical(), health.Gates("pkg.Svc")},
			want: map[string]healthpb.HealthCheckResponse_ServingStatus{"": serving, "liveness": serving, "readiness": serving, "pkg.Svc": serving},
		},
		{
			name: "a nil option is ignored",
			opts: []health.CheckOption{nil},
			want: map[string]healthpb.HealthCheckResponse_ServingStatus{"": notServing, "liveness": serving, "readiness": notServing},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newRegistry(t)
			// Not started: the check has no result, so it is pending.
			if err := r.Register("dep", health.CheckFunc(passes), tc.opts...); err != nil {
				t.Fatalf("Register: %v", err)
			}
			if diff := cmp.Diff(tc.want, r.Report().Services); diff != "" {
				t.Errorf("services before the first result (-want +got):\n%s", diff)
			}
			if got := r.Report().Checks[0].Status; got != health.Pending {
				t.Errorf("check status = %v, want pending", got)
			}
		})
	}
}

func TestAddService(t *testing.T) {
	r, _ := newRegistry(t)
	if err := r.AddService("pkg.A", "pkg.B\xff"); err == nil || err.Error() != `health: service name "pkg.B\xff" is not valid UTF-8` {
		t.Fatalf("AddService with a bad name: error %v", err)
	}
	if _, ok := r.Status("pkg.A"); ok {
		t.Fatalf("a failed AddService added pkg.A")
	}
	if err := r.AddService("pkg.A", health.Overall); err != nil {
		t.Fatalf("AddService: %v", err)
	}
	if got, ok := r.Status("pkg.A"); !ok || got != serving {
		t.Errorf("Status(pkg.A) = %v, %v; want SERVING, true", got, ok)
	}
	// A check registered later gates it.
	if err := r.Register("dep", health.CheckFunc(passes), health.Gates("pkg.A")); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if got, _ := r.Status("pkg.A"); got != notServing {
		t.Errorf("Status(pkg.A) with a pending check = %v, want NOT_SERVING", got)
	}
}

func TestStatusOfAnUnknownService(t *testing.T) {
	r, _ := newRegistry(t)
	if got, ok := r.Status("nope"); ok || got != unknown {
		t.Errorf("Status(nope) = %v, %v; want SERVICE_UNKNOWN, false", got, ok)
	}
}

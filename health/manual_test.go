package health_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/health"
	"google.golang.org/grpc/codes"
	grpchealth "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"
)

// checkStatus asks Check for service over client and returns the status, failing the test
// on an error.
func checkStatus(t *testing.T, client healthpb.HealthClient, service string) healthpb.HealthCheckResponse_ServingStatus {
	t.Helper()
	resp, err := client.Check(rpcContext(t), &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		t.Fatalf("Check(%q): %v", service, err)
	}
	return resp.GetStatus()
}

// listStatuses asks List over client and returns every service's status.
func listStatuses(t *testing.T, client healthpb.HealthClient) map[string]healthpb.HealthCheckResponse_ServingStatus {
	t.Helper()
	resp, err := client.List(rpcContext(t), &healthpb.HealthListRequest{})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	out := make(map[string]healthpb.HealthCheckResponse_ServingStatus)
	for s, st := range resp.GetStatuses() {
		out[s] = st.GetStatus()
	}
	return out
}

func TestSetServingStatusComposesWithTheChecks(t *testing.T) {
	r, hook := newRegistry(t)
	db := &dependency{}
	if err := r.Register("db", db, withFast(health.Gates(health.Readiness, "pkg.Gated"))...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	r.Start(t.Context())
	awaitStatus(t, r, "pkg.Gated", serving)
	client := healthpb.NewHealthClient(serveHealth(t, health.NewServer(r)).Conn)
	gated, err := client.Watch(rpcContext(t), &healthpb.HealthCheckRequest{Service: "pkg.Gated"})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	recvStatus(t, gated, serving)
	manual, err := client.Watch(rpcContext(t), &healthpb.HealthCheckRequest{Service: "pkg.Manual"})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	recvStatus(t, manual, unknown)
	set := func(service string, st healthpb.HealthCheckResponse_ServingStatus) {
		t.Helper()
		if err := r.SetServingStatus(service, st); err != nil {
			t.Fatalf("SetServingStatus(%q, %v): %v", service, st, err)
		}
	}

	// A name no check knows becomes a health service, as with grpc-go's server.
	set("pkg.Manual", notServing)
	recvStatus(t, manual, notServing)
	if got := checkStatus(t, client, "pkg.Manual"); got != notServing {
		t.Errorf("Check of a service set NOT_SERVING by hand = %v", got)
	}
	want := map[string]healthpb.HealthCheckResponse_ServingStatus{
		"": serving, "liveness": serving, "readiness": serving, "pkg.Gated": serving, "pkg.Manual": notServing,
	}
	if diff := cmp.Diff(want, listStatuses(t, client)); diff != "" {
		t.Errorf("List after SetServingStatus (-want +got):\n%s", diff)
	}
	set("pkg.Manual", serving)
	recvStatus(t, manual, serving)

	// NOT_SERVING by hand wins over a passing check; SERVING hands the service back.
	set("pkg.Gated", notServing)
	recvStatus(t, gated, notServing)
	if got := checkStatus(t, client, health.Readiness); got != serving {
		t.Errorf("readiness, which the same check gates, = %v; an override is per service", got)
	}
	set("pkg.Gated", serving)
	recvStatus(t, gated, serving)

	// SERVING by hand never hides a failing check.
	db.set(errDown)
	recvStatus(t, gated, notServing)
	set("pkg.Gated", serving)
	if got := checkStatus(t, client, "pkg.Gated"); got != notServing {
		t.Errorf("SERVING by hand over a failing check: Check = %v, want NOT_SERVING", got)
	}
	db.set(nil)
	recvStatus(t, gated, serving)

	// UNKNOWN can be set too, as with grpc-go's server.
	set("pkg.Gated", healthpb.HealthCheckResponse_UNKNOWN)
	recvStatus(t, gated, healthpb.HealthCheckResponse_UNKNOWN)
	set("pkg.Gated", serving)
	recvStatus(t, gated, serving)

	// Shutdown wins; what is set meanwhile applies after Resume.
	r.Shutdown()
	recvStatus(t, gated, notServing)
	recvStatus(t, manual, notServing)
	set("pkg.Manual", serving)
	set("pkg.Gated", notServing)
	if got := checkStatus(t, client, "pkg.Manual"); got != notServing {
		t.Errorf("SERVING by hand during Shutdown: Check = %v, want NOT_SERVING", got)
	}
	r.Resume()
	recvStatus(t, manual, serving)
	if got := checkStatus(t, client, "pkg.Gated"); got != notServing {
		t.Errorf("NOT_SERVING set during Shutdown, after Resume: Check = %v, want NOT_SERVING", got)
	}
	if diff := cmp.Diff(map[string]healthpb.HealthCheckResponse_ServingStatus{"pkg.Gated": notServing}, r.Report().Overrides); diff != "" {
		t.Errorf("Report().Overrides (-want +got):\n%s", diff)
	}

	if !r.FlushLogs(testTimeout) {
		t.Fatalf("the log lines were not written within %v", testTimeout)
	}
	var lines []string
	for _, e := range hook.AllEntries() {
		if e.Message == "health service status set by hand" {
			lines = append(lines, e.Data["health.service"].(string)+"="+e.Data["health.status"].(string))
		}
	}
	wantLines := []string{
		"pkg.Manual=NOT_SERVING", "pkg.Manual=SERVING", "pkg.Gated=NOT_SERVING", "pkg.Gated=SERVING",
		"pkg.Gated=UNKNOWN", "pkg.Gated=SERVING", "pkg.Gated=NOT_SERVING",
	}
	if diff := cmp.Diff(wantLines, lines); diff != "" {
		t.Errorf("lines logged for the statuses set by hand, one per change (-want +got):\n%s", diff)
	}
}

func TestSetServingStatusRefusesWhatNoClientCouldSee(t *testing.T) {
	r, hook := newRegistry(t)
	for _, tc := range []struct {
		service string
		st      healthpb.HealthCheckResponse_ServingStatus
		wantErr string
	}{
		{service: "pkg.\xff", st: serving, wantErr: "not valid UTF-8"},
		{service: "pkg.Svc", st: unknown, wantErr: "cannot set status SERVICE_UNKNOWN"},
		{service: "pkg.Svc", st: healthpb.HealthCheckResponse_ServingStatus(42), wantErr: "cannot set status 42"},
	} {
		if err := r.SetServingStatus(tc.service, tc.st); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("SetServingStatus(%q, %v) = %v, want an error saying %q", tc.service, tc.st, err, tc.wantErr)
		}
	}
	// The Server's form, with grpc-go's signature, logs what it refuses.
	health.NewServer(r).SetServingStatus("pkg.Svc", unknown)
	if _, ok := r.Status("pkg.Svc"); ok {
		t.Errorf("a refused SetServingStatus made the service exist")
	}
	if !r.FlushLogs(testTimeout) {
		t.Fatalf("the log lines were not written within %v", testTimeout)
	}
	if e := hook.LastEntry(); e == nil || e.Message != "health service status not set" || !strings.Contains(e.Data["error"].(error).Error(), "SERVICE_UNKNOWN") {
		t.Errorf("last log line = %+v, want the refusal with its error", e)
	}
}

// TestSetServingStatusAsGrpcGosServer runs the same calls on grpc-go's health.Server and on
// ours, with no checks and no Shutdown, and compares what Check and List answer: code
// written against grpc-go's server sees the same.
func TestSetServingStatusAsGrpcGosServer(t *testing.T) {
	r, _ := newRegistry(t)
	ours := health.NewServer(r)
	theirs := grpchealth.NewServer()
	ourClient := healthpb.NewHealthClient(serveHealth(t, ours).Conn)
	theirClient := healthpb.NewHealthClient(serveHealth(t, theirs).Conn)
	// The methods of grpc-go's server that code calls, with the same signatures.
	type grpcGoServer interface {
		SetServingStatus(string, healthpb.HealthCheckResponse_ServingStatus)
		Shutdown()
		Resume()
	}
	for _, s := range []grpcGoServer{ours, theirs} {
		s.SetServingStatus("pkg.A", serving)
		s.SetServingStatus("pkg.B", notServing)
		s.SetServingStatus("pkg.C", notServing)
		s.SetServingStatus("pkg.C", serving)
		s.SetServingStatus("", notServing)
		s.SetServingStatus("pkg.D", healthpb.HealthCheckResponse_UNKNOWN)
	}
	for _, service := range []string{"", "pkg.A", "pkg.B", "pkg.C", "pkg.D", "pkg.Nope"} {
		got, gotErr := ourClient.Check(rpcContext(t), &healthpb.HealthCheckRequest{Service: service})
		want, wantErr := theirClient.Check(rpcContext(t), &healthpb.HealthCheckRequest{Service: service})
		if status.Code(gotErr) != status.Code(wantErr) || status.Convert(gotErr).Message() != status.Convert(wantErr).Message() {
			t.Errorf("Check(%q) error = %v, grpc-go's = %v", service, gotErr, wantErr)
		}
		if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
			t.Errorf("Check(%q) (-grpc-go +ours):\n%s", service, diff)
		}
	}
	// Ours also has liveness and readiness, which grpc-go's has not.
	got := listStatuses(t, ourClient)
	for _, s := range []string{health.Liveness, health.Readiness} {
		if got[s] != serving {
			t.Errorf("List: %q = %v, want SERVING", s, got[s])
		}
		delete(got, s)
	}
	if diff := cmp.Diff(listStatuses(t, theirClient), got); diff != "" {
		t.Errorf("List (-grpc-go +ours):\n%s", diff)
	}
	if code := status.Code(func() error {
		_, err := ourClient.Check(rpcContext(t), &healthpb.HealthCheckRequest{Service: "pkg.Nope"})
		return err
	}()); code != codes.NotFound {
		t.Errorf("Check of a service never set = %v, want NotFound", code)
	}
}

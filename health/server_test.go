package health_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/health"
	"google.golang.org/grpc/codes"
	grpchealth "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"
)

// fastCheck makes a check run every few milliseconds and turn at its first result, for
// tests that run in real time.
var fastCheck = []health.CheckOption{health.Every(5 * time.Millisecond), health.FailureThreshold(1)}

func withFast(opts ...health.CheckOption) []health.CheckOption {
	return append(append([]health.CheckOption(nil), fastCheck...), opts...)
}

func TestCheckAnswersFromTheLastResults(t *testing.T) {
	r, _ := newRegistry(t)
	if err := r.Register("good", &dependency{}, withFast()...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if err := r.Register("bad", &dependency{err: errDown}, withFast(health.Gates("pkg.Bad"))...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if err := r.AddService("pkg.Plain"); err != nil {
		t.Fatalf("AddService: %v", err)
	}
	r.Start(context.Background())
	awaitStatus(t, r, health.Readiness, serving)
	client := healthpb.NewHealthClient(serveHealth(t, health.NewServer(r)).Conn)

	for _, tc := range []struct {
		service  string
		want     *healthpb.HealthCheckResponse
		wantCode codes.Code
		wantMsg  string
	}{
		{service: health.Overall, want: &healthpb.HealthCheckResponse{Status: serving}},
		{service: health.Readiness, want: &healthpb.HealthCheckResponse{Status: serving}},
		{service: health.Liveness, want: &healthpb.HealthCheckResponse{Status: serving}},
		{service: "pkg.Bad", want: &healthpb.HealthCheckResponse{Status: notServing}},
		{service: "pkg.Plain", want: &healthpb.HealthCheckResponse{Status: serving}},
		{service: "nope", wantCode: codes.NotFound, wantMsg: "unknown service"},
		{service: "Readiness", wantCode: codes.NotFound, wantMsg: "unknown service"},
	} {
		t.Run(fmt.Sprintf("%q", tc.service), func(t *testing.T) {
			got, err := client.Check(rpcContext(t), &healthpb.HealthCheckRequest{Service: tc.service})
			if st := status.Convert(err); st.Code() != tc.wantCode || st.Message() != tc.wantMsg {
				t.Fatalf("Check error = %v, want code %v message %q", err, tc.wantCode, tc.wantMsg)
			}
			if diff := cmp.Diff(tc.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListAnswersEveryServiceUpToAHundred(t *testing.T) {
	r, _ := newRegistry(t)
	if err := r.Register("dep", &dependency{}, health.Gates("pkg.Gated")); err != nil { // pending
		t.Fatalf("Register: %v", err)
	}
	client := healthpb.NewHealthClient(serveHealth(t, health.NewServer(r)).Conn)

	got, err := client.List(rpcContext(t), &healthpb.HealthListRequest{})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := &healthpb.HealthListResponse{Statuses: map[string]*healthpb.HealthCheckResponse{
		"":          {Status: serving},
		"liveness":  {Status: serving},
		"readiness": {Status: serving},
		"pkg.Gated": {Status: notServing},
	}}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}

	for i := len(want.Statuses); i < 100; i++ {
		if err := r.AddService(fmt.Sprintf("pkg.Svc%d", i)); err != nil {
			t.Fatalf("AddService: %v", err)
		}
	}
	got, err = client.List(rpcContext(t), &healthpb.HealthListRequest{})
	if err != nil || len(got.GetStatuses()) != 100 {
		t.Fatalf("List of 100 services: %d statuses, error %v; want 100, nil", len(got.GetStatuses()), err)
	}

	if err := r.AddService("pkg.OneTooMany"); err != nil {
		t.Fatalf("AddService: %v", err)
	}
	_, err = client.List(rpcContext(t), &healthpb.HealthListRequest{})
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || st.Message() != "server health list exceeds maximum capacity: 100" {
		t.Errorf("List of 101 services: error %v, want RESOURCE_EXHAUSTED as grpc-go's server", err)
	}
}

func TestShutdownHoldsEveryServiceNotServingUntilResume(t *testing.T) {
	r, _ := newRegistry(t)
	good := &dependency{}
	if err := r.Register("good", good, withFast()...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if err := r.Register("bad", &dependency{err: errDown}, withFast(health.Gates("pkg.Bad"))...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	r.Start(context.Background())
	awaitStatus(t, r, health.Readiness, serving)
	srv := health.NewServer(r)
	client := healthpb.NewHealthClient(serveHealth(t, srv).Conn)
	list := func() map[string]healthpb.HealthCheckResponse_ServingStatus { return listStatuses(t, client) }
	allNotServing := map[string]healthpb.HealthCheckResponse_ServingStatus{
		"": notServing, "liveness": notServing, "readiness": notServing, "pkg.Bad": notServing,
	}

	srv.Shutdown()
	if diff := cmp.Diff(allNotServing, list()); diff != "" {
		t.Fatalf("after Shutdown (-want +got):\n%s", diff)
	}
	// The checks go on, and a check that fails and recovers changes no service.
	good.set(errDown)
	awaitCheck(t, r, "good", health.Failing)
	good.set(nil)
	awaitCheck(t, r, "good", health.Passing)
	if diff := cmp.Diff(allNotServing, list()); diff != "" {
		t.Errorf("a check recovered during Shutdown (-want +got):\n%s", diff)
	}
	if !r.Report().Shutdown {
		t.Errorf("Report().Shutdown = false during Shutdown")
	}

	srv.Resume()
	want := map[string]healthpb.HealthCheckResponse_ServingStatus{
		"": serving, "liveness": serving, "readiness": serving,
		"pkg.Bad": notServing, // its check fails: grpc-go's Resume would say SERVING
	}
	if diff := cmp.Diff(want, list()); diff != "" {
		t.Errorf("after Resume (-want +got):\n%s", diff)
	}
}

// awaitCheck waits until the check has the status want.
func awaitCheck(t *testing.T, r *health.Registry, name string, want health.CheckStatus) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		for _, ck := range r.Report().Checks {
			if ck.Name == name && ck.Status == want {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("check %q is not %v after %v", name, want, testTimeout)
}

func TestAHungCheckerDoesNotDelayCheck(t *testing.T) {
	r, _ := newRegistry(t)
	var (
		runs    int
		mu      sync.Mutex
		entered = make(chan struct{})
		release = make(chan struct{})
	)
	hangsFromTheSecondRun := health.CheckFunc(func(context.Context) error {
		mu.Lock()
		runs++
		n := runs
		mu.Unlock()
		if n == 2 {
			close(entered)
			<-release // ignores its context
		}
		return nil
	})
	if err := r.Register("hangs", hangsFromTheSecondRun, health.Every(5*time.Millisecond), health.Timeout(time.Hour)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	t.Cleanup(func() { close(release) }) // before the registry stops: cleanups run last first
	r.Start(context.Background())
	client := healthpb.NewHealthClient(serveHealth(t, health.NewServer(r)).Conn)

	<-entered // the second run hangs from now on
	got, err := client.Check(rpcContext(t), &healthpb.HealthCheckRequest{Service: health.Readiness})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	select {
	case <-release:
		t.Fatalf("the checker was released before Check answered")
	default:
	}
	if diff := cmp.Diff(&healthpb.HealthCheckResponse{Status: serving}, got, protocmp.Transform()); diff != "" {
		t.Errorf("Check while the checker hangs (-want +got):\n%s", diff)
	}
}

func TestAHungFirstRunAnswersNotServingAtOnce(t *testing.T) {
	r, _ := newRegistry(t)
	release := make(chan struct{})
	hangs := health.CheckFunc(func(context.Context) error { <-release; return nil })
	if err := r.Register("hangs", hangs, health.Timeout(time.Hour)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	t.Cleanup(func() { close(release) })
	r.Start(context.Background())
	client := healthpb.NewHealthClient(serveHealth(t, health.NewServer(r)).Conn)

	got, err := client.Check(rpcContext(t), &healthpb.HealthCheckRequest{Service: health.Readiness})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if diff := cmp.Diff(&healthpb.HealthCheckResponse{Status: notServing}, got, protocmp.Transform()); diff != "" {
		t.Errorf("Check before the first result (-want +got):\n%s", diff)
	}
}

func TestNewServerWithoutARegistryServesTheBaseServices(t *testing.T) {
	srv := health.NewServer(nil)
	client := healthpb.NewHealthClient(serveHealth(t, srv).Conn)
	got, err := client.List(rpcContext(t), &healthpb.HealthListRequest{})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := &healthpb.HealthListResponse{Statuses: map[string]*healthpb.HealthCheckResponse{
		"": {Status: serving}, "liveness": {Status: serving}, "readiness": {Status: serving},
	}}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
}

// TestBehavesAsGrpcGosReferenceServer drives grpc-go's health.Server and ours through the
// same story over real gRPC and compares every answer.
func TestBehavesAsGrpcGosReferenceServer(t *testing.T) {
	ref := grpchealth.NewServer()
	for _, s := range []string{health.Overall, health.Liveness, health.Readiness} {
		ref.SetServingStatus(s, serving)
	}
	r, _ := newRegistry(t)
	ours := health.NewServer(r)

	type side struct {
		client   healthpb.HealthClient
		shutdown func()
		add      func(service string)
	}
	sides := map[string]side{
		"grpc-go": {
			client:   healthpb.NewHealthClient(serveHealth(t, ref).Conn),
			shutdown: ref.Shutdown,
			add:      func(s string) { ref.SetServingStatus(s, serving) },
		},
		"grpcobs": {
			client:   healthpb.NewHealthClient(serveHealth(t, ours).Conn),
			shutdown: ours.Shutdown,
			add:      func(s string) { _ = r.AddService(s) },
		},
	}

	// answer is what one call gave: a response or a status, as text to compare.
	answer := func(resp fmt.Stringer, err error) string {
		if err != nil {
			st := status.Convert(err)
			return fmt.Sprintf("error %v %q", st.Code(), st.Message())
		}
		return fmt.Sprintf("%v", resp)
	}
	story := func(s side) []string {
		var out []string
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		for _, service := range []string{"", "readiness", "nope"} {
			out = append(out, answer(s.client.Check(ctx, &healthpb.HealthCheckRequest{Service: service})))
		}
		out = append(out, answer(s.client.List(ctx, &healthpb.HealthListRequest{})))
		watchLate, err := s.client.Watch(ctx, &healthpb.HealthCheckRequest{Service: "late"})
		if err != nil {
			t.Fatalf("Watch: %v", err)
		}
		watchAll, err := s.client.Watch(ctx, &healthpb.HealthCheckRequest{Service: ""})
		if err != nil {
			t.Fatalf("Watch: %v", err)
		}
		out = append(out, answer(watchLate.Recv()), answer(watchAll.Recv()))
		s.add("late")
		out = append(out, answer(watchLate.Recv()))
		s.shutdown()
		out = append(out, answer(watchLate.Recv()), answer(watchAll.Recv()))
		out = append(out, answer(s.client.Check(ctx, &healthpb.HealthCheckRequest{Service: "late"})))
		return out
	}
	want := story(sides["grpc-go"])
	got := story(sides["grpcobs"])
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers differ from grpc-go's reference server (-grpc-go +grpcobs):\n%s", diff)
	}
	if len(want) != 10 {
		t.Errorf("the story has %d answers, want 10", len(want))
	}
}

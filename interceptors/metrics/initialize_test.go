package metrics_test

import (
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/grpc"
)

func TestInitializeMetricsCreatesSeriesBeforeTheFirstCall(t *testing.T) {
	s := startStack(t, stackConfig{})
	s.server.InitializeMetrics(s.Server)

	const want = `
# HELP grpc_server_started_total Total number of RPCs started on the server.
# TYPE grpc_server_started_total counter
grpc_server_started_total{grpc_method="Chat",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="bidi_stream"} 0
grpc_server_started_total{grpc_method="ClientStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="client_stream"} 0
grpc_server_started_total{grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 0
grpc_server_started_total{grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 0
# HELP grpc_server_in_flight Number of RPCs started on the server and not yet completed.
# TYPE grpc_server_in_flight gauge
grpc_server_in_flight{grpc_method="Chat",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="bidi_stream"} 0
grpc_server_in_flight{grpc_method="ClientStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="client_stream"} 0
grpc_server_in_flight{grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 0
grpc_server_in_flight{grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 0
`
	if err := testutil.CollectAndCompare(s.server, strings.NewReader(want), "grpc_server_started_total", "grpc_server_in_flight"); err != nil {
		t.Error(err)
	}
	// Four methods; every code on handled.
	wantSeries := map[string]int{
		"grpc_server_started_total":      4,
		"grpc_server_handled_total":      4 * 17,
		"grpc_server_msg_received_total": 4,
		"grpc_server_msg_sent_total":     4,
		"grpc_server_in_flight":          4,
		"grpc_server_handling_seconds":   4,
	}
	got := seriesPerFamily(t, s.reg)
	for name, want := range wantSeries {
		if got[name] != want {
			t.Errorf("%s: %d series, want %d", name, got[name], want)
		}
	}
	if len(got) != len(wantSeries) {
		t.Errorf("families %v, want only the server's %v", got, wantSeries)
	}
	for _, code := range []string{"OK", "Canceled", "Unknown", "DeadlineExceeded", "ResourceExhausted", "Unauthenticated"} {
		if v := value(t, s.reg, "grpc_server_handled_total", demoMethod(interceptors.ServerStream, "ServerStream").with("grpc_code", code)); v != 0 {
			t.Errorf("pre-created handled{grpc_code=%q} = %v, want 0", code, v)
		}
	}
	if n := sampleCount(t, s.reg, "grpc_server_handling_seconds", demoMethod(interceptors.BidiStream, "Chat")); n != 0 {
		t.Errorf("pre-created histogram has %d observations, want 0", n)
	}

	// The first call counts on the pre-created series.
	if _, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	if v := value(t, s.reg, "grpc_server_handled_total", demoMethod(interceptors.Unary, "Echo").with("grpc_code", "OK")); v != 1 {
		t.Errorf("handled{Echo, OK} = %v after one call, want 1", v)
	}
	if got := seriesPerFamily(t, s.reg)["grpc_server_handled_total"]; got != 4*17 {
		t.Errorf("grpc_server_handled_total: %d series after a call, want still %d", got, 4*17)
	}
}

// A server may register a service whose name is not valid UTF-8, which no label value can
// hold: its calls count as other, and nothing panics.
func TestInitializeMetricsWithANameThatCannotBeALabel(t *testing.T) {
	badName := handWritten
	badName.ServiceName = "bad\xff.v1.Notes"
	badName.Methods = nil // Add alone
	s := startStack(t, stackConfig{harness: []testsrv.Option{
		testsrv.WithRegister(func(srv *grpc.Server) { srv.RegisterService(&badName, struct{}{}) }),
	}})
	s.server.InitializeMetrics(s.Server)
	for range 2 {
		var resp demov1.EchoResponse
		if err := s.Conn.Invoke(t.Context(), "/bad\xff.v1.Notes/Add", &demov1.EchoRequest{}, &resp); err != nil {
			t.Fatalf("Add: %v", err)
		}
	}
	other := labels{"grpc_type": "bidi_stream", "grpc_service": "other", "grpc_method": "other"}
	if got := value(t, s.reg, "grpc_server_started_total", other); got != 2 {
		t.Errorf("grpc_server_started_total%v = %v, want 2", other, got)
	}
	if got := seriesPerFamily(t, s.reg)["grpc_server_started_total"]; got != 1 {
		t.Errorf("grpc_server_started_total has %d series, want 1 (other)", got)
	}
}

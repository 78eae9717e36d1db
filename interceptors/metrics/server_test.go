package metrics_test

import (
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestServerCountsEveryKindOfCall(t *testing.T) {
	s := startStack(t, stackConfig{})
	makeEveryKindOfCall(t.Context(), t, s.Demo())

	const want = `
# HELP grpc_server_started_total Total number of RPCs started on the server.
# TYPE grpc_server_started_total counter
grpc_server_started_total{grpc_method="Chat",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="bidi_stream"} 1
grpc_server_started_total{grpc_method="ClientStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="client_stream"} 1
grpc_server_started_total{grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 3
grpc_server_started_total{grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 2
# HELP grpc_server_handled_total Total number of RPCs completed on the server, regardless of success or failure.
# TYPE grpc_server_handled_total counter
grpc_server_handled_total{grpc_code="OK",grpc_method="Chat",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="bidi_stream"} 1
grpc_server_handled_total{grpc_code="OK",grpc_method="ClientStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="client_stream"} 1
grpc_server_handled_total{grpc_code="NotFound",grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 1
grpc_server_handled_total{grpc_code="OK",grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 2
grpc_server_handled_total{grpc_code="FailedPrecondition",grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 1
grpc_server_handled_total{grpc_code="OK",grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 1
# HELP grpc_server_msg_received_total Total number of RPC stream messages received on the server.
# TYPE grpc_server_msg_received_total counter
grpc_server_msg_received_total{grpc_method="Chat",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="bidi_stream"} 2
grpc_server_msg_received_total{grpc_method="ClientStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="client_stream"} 4
grpc_server_msg_received_total{grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 3
grpc_server_msg_received_total{grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 2
# HELP grpc_server_msg_sent_total Total number of gRPC stream messages sent by the server.
# TYPE grpc_server_msg_sent_total counter
grpc_server_msg_sent_total{grpc_method="Chat",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="bidi_stream"} 2
grpc_server_msg_sent_total{grpc_method="ClientStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="client_stream"} 1
grpc_server_msg_sent_total{grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 2
grpc_server_msg_sent_total{grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 5
# HELP grpc_server_in_flight Number of RPCs started on the server and not yet completed.
# TYPE grpc_server_in_flight gauge
grpc_server_in_flight{grpc_method="Chat",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="bidi_stream"} 0
grpc_server_in_flight{grpc_method="ClientStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="client_stream"} 0
grpc_server_in_flight{grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 0
grpc_server_in_flight{grpc_method="ServerStream",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="server_stream"} 0
`
	// The server ends each call before its status goes out, so the client's return is enough.
	if err := testutil.CollectAndCompare(s.server, strings.NewReader(want),
		"grpc_server_started_total", "grpc_server_handled_total", "grpc_server_msg_received_total",
		"grpc_server_msg_sent_total", "grpc_server_in_flight"); err != nil {
		t.Error(err)
	}

	for _, tc := range []struct {
		typ    interceptors.GRPCType
		method string
		want   uint64
	}{
		{interceptors.Unary, "Echo", 3},
		{interceptors.ServerStream, "ServerStream", 2},
		{interceptors.ClientStream, "ClientStream", 1},
		{interceptors.BidiStream, "Chat", 1},
	} {
		if got := sampleCount(t, s.reg, "grpc_server_handling_seconds", demoMethod(tc.typ, tc.method)); got != tc.want {
			t.Errorf("grpc_server_handling_seconds%v: %d observations, want %d", demoMethod(tc.typ, tc.method), got, tc.want)
		}
	}
}

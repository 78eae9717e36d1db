package metrics_test

import (
	"slices"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
)

const (
	msgSendHistogram = "grpc_client_msg_send_handling_seconds"
	msgRecvHistogram = "grpc_client_msg_recv_handling_seconds"
)

// With both per-message histograms on, the client observes every SendMsg and RecvMsg of every
// call type, failed ones and the final io.EOF included, as go-grpc-middleware's
// providers/prometheus does (bench/msghistograms_test.go compares the two on the same calls);
// the server has no such series.
func TestClientStreamHistogramsObserveEveryMessage(t *testing.T) {
	s := startStack(t, stackConfig{metricOptions: []metrics.Option{
		metrics.WithClientStreamSendHistogram(), metrics.WithClientStreamRecvHistogram(),
	}})
	makeEveryKindOfCall(t.Context(), t, s.Demo())

	for _, tc := range []struct {
		typ             interceptors.GRPCType
		method          string
		sends, receives uint64
		what            string
	}{
		// Three calls, one request and one response (or the error) each.
		{interceptors.Unary, "Echo", 3, 3, "unary"},
		// One request each; 3 responses and io.EOF, 2 responses and the error.
		{interceptors.ServerStream, "ServerStream", 2, 7, "server stream"},
		// Four requests, CloseAndRecv's one response.
		{interceptors.ClientStream, "ClientStream", 4, 1, "client stream"},
		// Two requests, two responses and io.EOF.
		{interceptors.BidiStream, "Chat", 2, 3, "bidi"},
	} {
		m := demoMethod(tc.typ, tc.method)
		if got := sampleCount(t, s.reg, msgSendHistogram, m); got != tc.sends {
			t.Errorf("%s%v (%s): %d observations, want %d", msgSendHistogram, m, tc.what, got, tc.sends)
		}
		if got := sampleCount(t, s.reg, msgRecvHistogram, m); got != tc.receives {
			t.Errorf("%s%v (%s): %d observations, want %d", msgRecvHistogram, m, tc.what, got, tc.receives)
		}
	}
	families := seriesPerFamily(t, s.reg)
	for _, name := range []string{"grpc_server_msg_send_handling_seconds", "grpc_server_msg_recv_handling_seconds"} {
		if n := families[name]; n != 0 {
			t.Errorf("%s: %d series; a server ignores the per-message options", name, n)
		}
	}
}

// Messages are timed when a per-message histogram is on, although metrics alone otherwise asks
// the stack not to read the clock around messages: a response that takes 20 ms to come is
// observed as at least 20 ms, in client_golang's default buckets.
func TestClientStreamHistogramsAreTimed(t *testing.T) {
	s := startStack(t, stackConfig{metricOptions: []metrics.Option{metrics.WithClientStreamRecvHistogram()}})
	stream, err := s.Demo().ServerStream(t.Context(), &demov1.ServerStreamRequest{Count: 1, DelayMs: 20})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("ServerStream: Recv: %v", err)
	}
	h := must(t, s.reg, msgRecvHistogram, demoMethod(interceptors.ServerStream, "ServerStream")).GetHistogram()
	if h.GetSampleCount() != 1 || h.GetSampleSum() < 0.020 {
		t.Errorf("%s: %d observations summing to %vs, want 1 of at least 0.020s", msgRecvHistogram, h.GetSampleCount(), h.GetSampleSum())
	}
	var bounds []float64
	for _, b := range h.GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
	}
	if !slices.Equal(bounds, prometheus.DefBuckets) {
		t.Errorf("%s buckets %v, want client_golang's DefBuckets %v", msgRecvHistogram, bounds, prometheus.DefBuckets)
	}
	if n := seriesPerFamily(t, s.reg)[msgSendHistogram]; n != 0 {
		t.Errorf("%s: %d series without its option, want none", msgSendHistogram, n)
	}
}

// Buckets given to the option replace the default ones, for that histogram only.
func TestClientStreamHistogramBuckets(t *testing.T) {
	s := startStack(t, stackConfig{metricOptions: []metrics.Option{
		metrics.WithClientStreamSendHistogram(0.001, 0.01), metrics.WithClientStreamRecvHistogram(),
	}})
	if _, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	for name, want := range map[string][]float64{msgSendHistogram: {0.001, 0.01}, msgRecvHistogram: prometheus.DefBuckets} {
		var bounds []float64
		for _, b := range must(t, s.reg, name, demoMethod(interceptors.Unary, "Echo")).GetHistogram().GetBucket() {
			bounds = append(bounds, b.GetUpperBound())
		}
		if !slices.Equal(bounds, want) {
			t.Errorf("%s buckets %v, want %v", name, bounds, want)
		}
	}
}

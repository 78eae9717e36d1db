package otelmetrics_test

import (
	"slices"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// An attacker calling 10,000 random method names adds no series, in either family, on either
// side, and does not grow memory: every such call is recorded under the convention's "other".
func TestRandomMethodNamesAddNoSeries(t *testing.T) {
	for _, tc := range []struct {
		family  string
		options []otelmetrics.Option
		other   attribute.KeyValue
		metrics []string
	}{
		{"semconv", nil, attribute.String("rpc.method", "_OTHER"), []string{"rpc.server.call.duration", "rpc.client.call.duration"}},
		{"A66", []otelmetrics.Option{otelmetrics.WithA66()}, attribute.String("grpc.method", "other"), []string{"grpc.server.call.duration", "grpc.client.call.duration", "grpc.server.call.started"}},
		{"A66 attempts", []otelmetrics.Option{otelmetrics.WithA66(), otelmetrics.WithAttempts()}, attribute.String("grpc.method", "other"), []string{
			"grpc.client.call.duration", "grpc.client.attempt.started", "grpc.client.attempt.duration",
			"grpc.client.attempt.sent_total_compressed_message_size", "grpc.client.attempt.rcvd_total_compressed_message_size",
		}},
	} {
		t.Run(tc.family, func(t *testing.T) {
			s := startStack(t, stackConfig{options: tc.options, harness: []testsrv.Option{
				testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)),
			}})
			echo(t, s, codes.OK)
			const warmUp, attack = 1_000, 10_000
			testsrv.CallRandomMethods(t, t.Context(), s.Conn, 1, warmUp)
			before := testsrv.HeapAfterGC()
			testsrv.CallRandomMethods(t, t.Context(), s.Conn, 2, attack)
			growth := testsrv.HeapAfterGC() - before
			// Each name is about 100 bytes: keeping the 10,000 names would take 1 MB and more.
			const maxGrowth = 256 << 10
			t.Logf("live heap grew by %d bytes over %d calls", growth, attack)
			if growth > maxGrowth {
				t.Errorf("live heap grew by %d bytes over %d calls to random methods, want at most %d", growth, attack, maxGrowth)
			}

			ms := s.collect(t)
			for _, name := range tc.metrics {
				m := metricNamed(t, ms, name)
				var points int
				var other uint64
				if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
					for _, p := range sum.DataPoints {
						if v, ok := p.Attributes.Value(tc.other.Key); ok && v == tc.other.Value {
							other += uint64(p.Value)
						}
						points++
					}
				} else if sizes, ok := m.Data.(metricdata.Histogram[int64]); ok {
					for _, p := range sizes.DataPoints {
						if v, ok := p.Attributes.Value(tc.other.Key); ok && v == tc.other.Value {
							other += p.Count
						}
						points++
					}
				} else {
					for _, p := range histogram(t, m) {
						if v, ok := p.Attributes.Value(tc.other.Key); ok && v == tc.other.Value {
							other += p.Count
						}
						points++
					}
				}
				if points != 2 {
					t.Errorf("%s has %d points, want 2 (Echo and other)", name, points)
				}
				if other != warmUp+attack {
					t.Errorf("%s recorded %d calls as %s, want %d", name, other, tc.other.Value.String(), warmUp+attack)
				}
			}
		})
	}
}

// A method name that is not valid UTF-8 is recorded as other, and nothing panics.
func TestInvalidUTF8MethodNameIsOther(t *testing.T) {
	s := startStack(t, stackConfig{harness: []testsrv.Option{
		testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)),
	}})
	var resp demov1.EchoResponse
	if err := s.Conn.Invoke(t.Context(), "/bad\xff.Service/M\xfe", &demov1.EchoRequest{}, &resp); err != nil {
		t.Fatalf("invalid UTF-8 method: %v", err)
	}
	ms := s.collect(t)
	for _, name := range []string{"rpc.server.call.duration", "rpc.client.call.duration"} {
		points := histogram(t, metricNamed(t, ms, name))
		if len(points) != 1 || !hasValue(points[0].Attributes, "rpc.method", "_OTHER") {
			t.Errorf("%s: %d points, want only _OTHER's", name, len(points))
		}
	}
}

// A peer may end a call with any number as its code: every code outside the 17 of gRPC is
// recorded as UNKNOWN, so invented codes add no series.
func TestCodesOutsideGRPCAreUnknown(t *testing.T) {
	invented := func(any, grpc.ServerStream) error {
		return statusWithCode(1017)
	}
	s := startStack(t, stackConfig{harness: []testsrv.Option{
		testsrv.WithServerOptions(grpc.UnknownServiceHandler(invented)),
	}})
	var resp demov1.EchoResponse
	_ = s.Conn.Invoke(t.Context(), "/made.up.Service/Method", &demov1.EchoRequest{}, &resp)
	ms := s.collect(t)
	unknown := []attribute.KeyValue{
		attribute.String("rpc.system.name", "grpc"), attribute.String("rpc.method", "_OTHER"),
		attribute.String("rpc.response.status_code", "UNKNOWN"), attribute.String("error.type", "UNKNOWN"),
	}
	for name, attrs := range map[string][]attribute.KeyValue{
		"rpc.server.call.duration": unknown,
		"rpc.client.call.duration": append(slices.Clone(unknown), attribute.String("server.address", "bufnet")),
	} {
		p := histogramPoint(t, metricNamed(t, ms, name), attrs...)
		if p.Count != 1 {
			t.Errorf("%s: count %d, want 1", name, p.Count)
		}
	}
}

package interop

import (
	"context"
	"net"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"github.com/grpcobs/grpcobs/internal/attempts"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	grpcotel "google.golang.org/grpc/stats/opentelemetry"
	"google.golang.org/grpc/status"
)

// gRFC A66's attempt metrics: the same calls, retried by grpc-go under real retry policies,
// go through grpcobs' A66 client with WithAttempts and, on the same connection, through
// grpc-go's stats/opentelemetry plugin with its default metrics (which include the attempt
// metrics). Both must agree on names, units, descriptions, kinds, bucket boundaries, attribute
// keys, values and types, the attempts counted under each set of attributes and, since both
// see the same payload events, the compressed bytes each attempt sent and received.

// attemptMetrics are the plugin's client metrics, the call's and the attempts'.
var attemptMetrics = []string{
	"grpc.client.attempt.duration", "grpc.client.attempt.rcvd_total_compressed_message_size",
	"grpc.client.attempt.sent_total_compressed_message_size", "grpc.client.attempt.started",
	"grpc.client.call.duration",
}

// attemptScenario is a call that grpc-go retries, and what the attempt metrics must hold.
type attemptScenario struct {
	name          string
	serviceConfig string
	call          func(t *testing.T, demo demov1.DemoServiceClient)
	// attempts is how many attempts end with each code; started is their sum.
	attempts map[string]uint64
}

var attemptScenarios = []attemptScenario{
	{
		name:          "retried once",
		serviceConfig: attempts.RetryPolicy(3, "0.01s", 1, ""),
		call:          echoRefused(1, codes.OK),
		attempts:      map[string]uint64{"UNAVAILABLE": 1, "OK": 1},
	},
	{
		name:          "never retried",
		serviceConfig: attempts.RetryPolicy(3, "0.01s", 1, ""),
		call:          echoRefused(0, codes.OK),
		attempts:      map[string]uint64{"OK": 1},
	},
	{
		name:          "every attempt failing",
		serviceConfig: attempts.RetryPolicy(3, "0.01s", 1, ""),
		call:          echoRefused(3, codes.Unavailable),
		attempts:      map[string]uint64{"UNAVAILABLE": 3},
	},
	{
		// The channel's token bucket (4 tokens, one lost per failure, retries while more than
		// half is left) stops a policy of five attempts after two.
		name:          "retry throttling",
		serviceConfig: attempts.RetryPolicy(5, "0.01s", 1, `{"maxTokens": 4, "tokenRatio": 0.1}`),
		call:          echoRefused(5, codes.Unavailable),
		attempts:      map[string]uint64{"UNAVAILABLE": 2},
	},
	{
		// A server stream that fails before the server sends anything is not committed, and
		// grpc-go retries it; each attempt sends the request again.
		name:          "stream retried before it commits",
		serviceConfig: attempts.RetryPolicy(3, "0.01s", 1, ""),
		call: func(t *testing.T, demo demov1.DemoServiceClient) {
			stream, err := demo.ServerStream(testContext(t), &demov1.ServerStreamRequest{Message: "retried", FailCode: int32(codes.Unavailable)})
			if err != nil {
				t.Fatalf("ServerStream: %v", err)
			}
			if _, err := stream.Recv(); status.Code(err) != codes.Unavailable {
				t.Fatalf("Recv = %v, want UNAVAILABLE", err)
			}
		},
		attempts: map[string]uint64{"UNAVAILABLE": 3},
	},
}

// echoRefused is an Echo call whose first refused attempts the demo server fails with
// UNAVAILABLE, expected to end with want.
func echoRefused(refused int32, want codes.Code) func(*testing.T, demov1.DemoServiceClient) {
	return func(t *testing.T, demo demov1.DemoServiceClient) {
		_, err := demo.Echo(testContext(t), &demov1.EchoRequest{Message: "retried", UnavailableAttempts: refused})
		if status.Code(err) != want {
			t.Fatalf("Echo = %v, want %v", err, want)
		}
	}
}

func TestA66AttemptMetricsMatchGrpcGoPlugin(t *testing.T) {
	for _, sc := range attemptScenarios {
		t.Run(sc.name, func(t *testing.T) {
			ours, theirs := newMeters(t), newMeters(t)
			h := testsrv.Start(t, testsrv.WithTCP(), testsrv.WithDialOptions(append(interceptors.DialOptions(
				otelmetrics.NewClient(otelmetrics.WithMeterProvider(ours), otelmetrics.WithA66(), otelmetrics.WithAttempts())),
				grpcotel.DialOption(grpcotel.Options{MetricsOptions: grpcotel.MetricsOptions{MeterProvider: theirs}}),
				grpc.WithDefaultServiceConfig(sc.serviceConfig))...))
			sc.call(t, h.Demo())

			grpcobs := ours.summaries(t)
			grpcGo := theirs.settled(t, grpcobs, attemptMetrics)
			if got := sortedNames(grpcobs); !slices.Equal(got, attemptMetrics) {
				t.Errorf("grpcobs recorded %v, want %v", got, attemptMetrics)
			}
			if got := sortedNames(grpcGo); !slices.Equal(got, attemptMetrics) {
				t.Errorf("grpc-go recorded %v, want %v", got, attemptMetrics)
			}
			compare(t, "grpc-go", grpcobs, grpcGo, attemptMetrics)
			sums := sizeSums(t, ours)
			if diff := cmp.Diff(sizeSums(t, theirs), sums); diff != "" {
				t.Errorf("compressed bytes per attempt (-grpc-go +grpcobs):\n%s", diff)
			}
			var sent int64
			for _, n := range sums["grpc.client.attempt.sent_total_compressed_message_size"] {
				sent += n
			}
			if sent == 0 {
				t.Error("no attempt sent a byte: the size comparison compared nothing")
			}

			// And both hold what the scenario made: its attempts, by code.
			var total uint64
			for code, n := range sc.attempts {
				total += n
				if got := pointsWith(grpcobs["grpc.client.attempt.duration"], "grpc.status="+code+"(STRING)"); got != n {
					t.Errorf("grpc.client.attempt.duration: %d attempts ended %s, want %d", got, code, n)
				}
			}
			if got := grpcobs["grpc.client.attempt.started"].total(); got != total {
				t.Errorf("grpc.client.attempt.started = %d, want %d", got, total)
			}
			if got := grpcobs["grpc.client.call.duration"].total(); got != 1 {
				t.Errorf("grpc.client.call.duration holds %d calls, want 1", got)
			}
		})
	}
}

// sizeSums reads the sums of the provider's int64 histograms (the compressed sizes), by
// metric and attributes: unlike durations, they depend on no clock.
func sizeSums(t *testing.T, m *meters) map[string]map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := m.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect: %v", err)
	}
	out := map[string]map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, metric := range sm.Metrics {
			if data, ok := metric.Data.(metricdata.Histogram[int64]); ok {
				out[metric.Name] = map[string]int64{}
				for _, p := range data.DataPoints {
					out[metric.Name][attributeString(p.Attributes)] += p.Sum
				}
			}
		}
	}
	return out
}

// Nothing listens at the target, under a policy of five attempts: grpc-go begins 9 attempts
// and ends 5, since each retry before any stream existed begins an attempt it then replaces
// (docs/DESIGN.md, "Attempt lifecycle"). grpc-go's plugin counts each one begun in
// grpc.client.attempt.started, and records 5 durations; grpcobs counts the 5 attempts grpc-go
// made in both (docs/otelmetrics.md).
func TestA66AbandonedAttemptsAreNotCounted(t *testing.T) {
	ours, theirs := newMeters(t), newMeters(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()
	conn, err := grpc.NewClient(addr, append(interceptors.DialOptions(
		otelmetrics.NewClient(otelmetrics.WithMeterProvider(ours), otelmetrics.WithA66(), otelmetrics.WithAttempts())),
		grpcotel.DialOption(grpcotel.Options{MetricsOptions: grpcotel.MetricsOptions{MeterProvider: theirs}}),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(attempts.RetryPolicy(5, "0.01s", 1, "")))...)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := demov1.NewDemoServiceClient(conn).Echo(testContext(t), &demov1.EchoRequest{}); status.Code(err) != codes.Unavailable {
		t.Fatalf("Echo = %v, want UNAVAILABLE", err)
	}
	grpcobs, grpcGo := ours.summaries(t), theirs.summaries(t)
	for _, c := range []struct {
		metric              string
		wantGrpcobs, wantGo uint64
	}{
		{"grpc.client.attempt.started", 5, 9},
		{"grpc.client.attempt.duration", 5, 5},
	} {
		if got := grpcobs[c.metric].total(); got != c.wantGrpcobs {
			t.Errorf("grpcobs' %s = %d, want %d", c.metric, got, c.wantGrpcobs)
		}
		if got := grpcGo[c.metric].total(); got != c.wantGo {
			t.Errorf("grpc-go's %s = %d, want %d", c.metric, got, c.wantGo)
		}
	}
}

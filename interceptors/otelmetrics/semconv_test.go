package otelmetrics_test

import (
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/attribute"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// semconvBuckets are the advisory boundaries of the semantic conventions v1.43.0.
var semconvBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// echo makes a unary call that ends with code.
func echo(t *testing.T, s *stack, code codes.Code) {
	t.Helper()
	_, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{Message: "hi", FailCode: int32(code)})
	if got := status.Code(err); got != code {
		t.Fatalf("Echo with fail_code %d: %v, want %v", code, err, code)
	}
}

// By default a server and a client record the semantic conventions' call durations, with the
// status policy deciding error.type on each side, and the client naming the server it dialled.
func TestSemconvDurationsOnServerAndClient(t *testing.T) {
	s := startStack(t, stackConfig{harness: []testsrv.Option{testsrv.WithTCP()}})
	echo(t, s, codes.OK)
	echo(t, s, codes.OK)
	echo(t, s, codes.NotFound) // the caller's problem: an error on the client only
	echo(t, s, codes.Internal) // an error on both sides

	ms := s.collect(t)
	if got, want := names(ms), []string{"rpc.client.call.duration", "rpc.server.call.duration"}; !slices.Equal(got, want) {
		t.Fatalf("metrics %v, want %v", got, want)
	}
	host, portText, err := net.SplitHostPort(s.Addr)
	if err != nil {
		t.Fatalf("server address %q: %v", s.Addr, err)
	}
	port, _ := strconv.Atoi(portText)
	base := []attribute.KeyValue{attribute.String("rpc.system.name", "grpc"), attribute.String("rpc.method", echoMethod)}
	clientBase := append(slices.Clone(base), attribute.String("server.address", host), attribute.Int("server.port", port))
	status := func(name string) attribute.KeyValue { return attribute.String("rpc.response.status_code", name) }
	errorType := func(name string) attribute.KeyValue { return attribute.String("error.type", name) }

	for _, tc := range []struct {
		metric, description string
		attrs               []attribute.KeyValue
		count               uint64
	}{
		{"rpc.server.call.duration", "Measures the duration of an incoming Remote Procedure Call (RPC).", append(slices.Clone(base), status("OK")), 2},
		{"rpc.server.call.duration", "", append(slices.Clone(base), status("NOT_FOUND")), 1},
		{"rpc.server.call.duration", "", append(slices.Clone(base), status("INTERNAL"), errorType("INTERNAL")), 1},
		{"rpc.client.call.duration", "Measures the duration of an outgoing Remote Procedure Call (RPC).", append(slices.Clone(clientBase), status("OK")), 2},
		{"rpc.client.call.duration", "", append(slices.Clone(clientBase), status("NOT_FOUND"), errorType("NOT_FOUND")), 1},
		{"rpc.client.call.duration", "", append(slices.Clone(clientBase), status("INTERNAL"), errorType("INTERNAL")), 1},
	} {
		m := metricNamed(t, ms, tc.metric)
		if m.Unit != "s" {
			t.Errorf("%s: unit %q, want s", tc.metric, m.Unit)
		}
		if tc.description != "" && m.Description != tc.description {
			t.Errorf("%s: description %q, want %q", tc.metric, m.Description, tc.description)
		}
		if got := len(histogram(t, m)); got != 3 {
			t.Errorf("%s: %d points, want 3 (OK, NOT_FOUND, INTERNAL)", tc.metric, got)
		}
		p := histogramPoint(t, m, tc.attrs...)
		if p.Count != tc.count {
			t.Errorf("%s{%v}: count %d, want %d", tc.metric, tc.attrs, p.Count, tc.count)
		}
		if !slices.Equal(p.Bounds, semconvBuckets) {
			t.Errorf("%s: bounds %v, want the conventions' %v", tc.metric, p.Bounds, semconvBuckets)
		}
	}
}

// A stream's duration covers the whole stream, not its first message.
func TestStreamDurationCoversTheWholeStream(t *testing.T) {
	s := startStack(t, stackConfig{})
	const open = 50 * time.Millisecond
	stream, err := s.Demo().Chat(t.Context())
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if err := stream.Send(&demov1.ChatRequest{Message: "hi"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("Recv: %v", err)
	}
	time.Sleep(open)
	if err := stream.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("last Recv: %v, want EOF", err)
	}

	ms := s.collect(t)
	for _, name := range []string{"rpc.server.call.duration", "rpc.client.call.duration"} {
		points := histogram(t, metricNamed(t, ms, name))
		if len(points) != 1 || points[0].Count != 1 {
			t.Fatalf("%s: %d points, want one with one call", name, len(points))
		}
		if got := points[0].Sum; got < open.Seconds() {
			t.Errorf("%s = %.4fs, want at least the %v the stream stayed open", name, got, open)
		}
		if got := points[0].Attributes; !hasValue(got, "rpc.method", demoService+"/Chat") {
			t.Errorf("%s: attributes %s, want rpc.method %s/Chat", name, setString(got), demoService)
		}
	}
}

func hasValue(set attribute.Set, key, want string) bool {
	v, ok := set.Value(attribute.Key(key))
	return ok && v.String() == want
}

// OTEL_SEMCONV_STABILITY_OPT_IN works as for grpcobs' spans: rpc/old records the v1.37.0
// histograms (milliseconds, SDK default buckets, rpc.grpc.status_code), rpc/dup both, each with
// its own version's attributes.
func TestStabilityOptIn(t *testing.T) {
	legacyServer := []attribute.KeyValue{
		attribute.String("rpc.system", "grpc"), attribute.String("rpc.service", demoService),
		attribute.String("rpc.method", "Echo"), attribute.Int64("rpc.grpc.status_code", int64(codes.NotFound)),
	}
	legacyClient := append(slices.Clone(legacyServer), attribute.String("server.address", "bufnet"))
	for _, tc := range []struct {
		env  string
		want []string
	}{
		{"rpc/old", []string{"rpc.client.duration", "rpc.server.duration"}},
		{"rpc/dup", []string{"rpc.client.call.duration", "rpc.client.duration", "rpc.server.call.duration", "rpc.server.duration"}},
		{"http, rpc/dup, rpc/old", []string{"rpc.client.call.duration", "rpc.client.duration", "rpc.server.call.duration", "rpc.server.duration"}},
		{"http", []string{"rpc.client.call.duration", "rpc.server.call.duration"}},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv("OTEL_SEMCONV_STABILITY_OPT_IN", tc.env)
			s := startStack(t, stackConfig{})
			echo(t, s, codes.NotFound)
			ms := s.collect(t)
			if got := names(ms); !slices.Equal(got, tc.want) {
				t.Fatalf("metrics %v, want %v", got, tc.want)
			}
			if !slices.Contains(tc.want, "rpc.server.duration") {
				return
			}
			for name, attrs := range map[string][]attribute.KeyValue{"rpc.server.duration": legacyServer, "rpc.client.duration": legacyClient} {
				m := metricNamed(t, ms, name)
				if m.Unit != "ms" {
					t.Errorf("%s: unit %q, want ms", name, m.Unit)
				}
				p := histogramPoint(t, m, attrs...)
				if p.Count != 1 {
					t.Errorf("%s: count %d, want 1", name, p.Count)
				}
				if len(p.Bounds) != len(defaultSDKBuckets) {
					t.Errorf("%s: bounds %v, want the SDK's defaults %v", name, p.Bounds, defaultSDKBuckets)
				}
			}
		})
	}
}

// defaultSDKBuckets are the SDK's default explicit buckets, which apply when the conventions
// advise none.
var defaultSDKBuckets = []float64{0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000}

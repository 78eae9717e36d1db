package interop

import (
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/stats"
	grpcotel "google.golang.org/grpc/stats/opentelemetry"
	"google.golang.org/grpc/status"
)

// semconvPair is a harness whose server and connection are instrumented by grpcobs'
// otelmetrics (ours) and otelgrpc's stats handlers (theirs) at once.
func semconvPair(t *testing.T, extra ...testsrv.Option) (h *testsrv.Harness, ours, theirs *meters) {
	t.Helper()
	ours, theirs = newMeters(t), newMeters(t)
	h = testsrv.Start(t, append([]testsrv.Option{testsrv.WithTCP(),
		testsrv.WithServerOptions(append(interceptors.ServerOptions(otelmetrics.NewServer(otelmetrics.WithMeterProvider(ours))),
			grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithMeterProvider(theirs))))...),
		testsrv.WithDialOptions(append(interceptors.DialOptions(otelmetrics.NewClient(otelmetrics.WithMeterProvider(ours))),
			grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithMeterProvider(theirs))))...),
	}, extra...)...)
	return h, ours, theirs
}

// attributeKeys are the keys of a metric's points, deduplicated and sorted.
func attributeKeys(s metricSummary) []string {
	var keys []string
	for attrs := range s.Points {
		for _, kv := range splitFields(attrs) {
			key, _, _ := strings.Cut(kv, "=")
			if !slices.Contains(keys, key) {
				keys = append(keys, key)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// Under OTEL_SEMCONV_STABILITY_OPT_IN, grpcobs and otelgrpc v0.72 record the same metrics, in
// the same units and buckets, for the same calls; their attributes differ as
// docs/otelmetrics.md says: grpcobs gives each version's histogram that version's attributes,
// otelgrpc gives the v1.37.0 histograms rpc.response.status_code, and under rpc/dup the union
// of both versions to both.
func TestStabilityOptInDiffersFromOtelgrpc(t *testing.T) {
	v137 := []string{"rpc.grpc.status_code", "rpc.method", "rpc.service", "rpc.system"}
	v143 := []string{"error.type", "rpc.method", "rpc.response.status_code", "rpc.system.name"}
	union := []string{"error.type", "rpc.method", "rpc.response.status_code", "rpc.service", "rpc.system", "rpc.system.name"}
	for _, tc := range []struct {
		env                 string
		names               []string
		grpcobs, otelgrpc   map[string][]string // server metric: attribute keys
		sameMethodValueOnV1 bool
	}{
		{
			env:      "rpc/old",
			names:    []string{"rpc.client.duration", "rpc.server.duration"},
			grpcobs:  map[string][]string{"rpc.server.duration": v137},
			otelgrpc: map[string][]string{"rpc.server.duration": {"rpc.method", "rpc.response.status_code", "rpc.service", "rpc.system"}},
		},
		{
			env:      "rpc/dup",
			names:    []string{"rpc.client.call.duration", "rpc.client.duration", "rpc.server.call.duration", "rpc.server.duration"},
			grpcobs:  map[string][]string{"rpc.server.duration": v137, "rpc.server.call.duration": v143},
			otelgrpc: map[string][]string{"rpc.server.duration": slices.DeleteFunc(slices.Clone(union), func(k string) bool { return k == "error.type" }), "rpc.server.call.duration": union},
		},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv("OTEL_SEMCONV_STABILITY_OPT_IN", tc.env)
			h, ours, theirs := semconvPair(t)
			for _, code := range []codes.Code{codes.OK, codes.Internal} {
				if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{FailCode: int32(code)}); status.Code(err) != code {
					t.Fatalf("Echo: %v", err)
				}
			}
			grpcobs := ours.summaries(t)
			otel := theirs.settled(t, grpcobs, tc.names)
			if got := sortedNames(grpcobs); !slices.Equal(got, tc.names) {
				t.Errorf("grpcobs recorded %v, want %v", got, tc.names)
			}
			if got := sortedNames(otel); !slices.Equal(got, tc.names) {
				t.Errorf("otelgrpc recorded %v, want %v", got, tc.names)
			}
			for _, name := range tc.names {
				g, o := grpcobs[name], otel[name]
				if g.Unit != o.Unit || g.Kind != o.Kind || !slices.Equal(g.Bounds, o.Bounds) || g.total() != o.total() {
					t.Errorf("%s: grpcobs %s %s %v (%d calls), otelgrpc %s %s %v (%d calls)", name, g.Unit, g.Kind, g.Bounds, g.total(), o.Unit, o.Kind, o.Bounds, o.total())
				}
			}
			for name, want := range tc.grpcobs {
				if got := attributeKeys(grpcobs[name]); !slices.Equal(got, want) {
					t.Errorf("grpcobs %s attribute keys %v, want %v", name, got, want)
				}
			}
			for name, want := range tc.otelgrpc {
				if got := attributeKeys(otel[name]); !slices.Equal(got, want) {
					t.Errorf("otelgrpc %s attribute keys %v, want %v (has otelgrpc changed? update docs/otelmetrics.md)", name, got, want)
				}
			}
		})
	}
}

// A call to a method the server does not have, when it has no unknown-service handler, is
// refused by grpc-go before any interceptor runs, and before the stats handlers see an end:
// grpcobs and otelgrpc record it on the client only; grpc-go's plugin also counts it in
// grpc.server.call.started (as other), with no duration.
func TestUnknownMethodWithoutHandlerIsRecordedByTheClientOnly(t *testing.T) {
	const made = "/made.up.v1.Service/Anything"
	t.Run("semconv", func(t *testing.T) {
		h, ours, theirs := semconvPair(t)
		if err := h.Conn.Invoke(testContext(t), made, &demov1.EchoRequest{}, &demov1.EchoResponse{}); status.Code(err) != codes.Unimplemented {
			t.Fatalf("made-up method: %v, want UNIMPLEMENTED", err)
		}
		client := []string{"rpc.client.call.duration"}
		grpcobs := ours.summaries(t)
		otel := theirs.settled(t, grpcobs, client)
		for who, got := range map[string]map[string]metricSummary{"grpcobs": grpcobs, "otelgrpc": otel} {
			if names := sortedNames(got); !slices.Equal(names, client) {
				t.Errorf("%s recorded %v, want the client's duration only", who, names)
			}
		}
		if n := pointsWith(grpcobs[client[0]], "rpc.method=_OTHER(STRING) rpc.response.status_code=UNIMPLEMENTED(STRING)"); n != 1 {
			t.Errorf("grpcobs client: %d UNIMPLEMENTED calls to _OTHER, want 1", n)
		}
	})
	t.Run("A66", func(t *testing.T) {
		ours, theirs := newMeters(t), newMeters(t)
		plugin := grpcotel.Options{MetricsOptions: grpcotel.MetricsOptions{MeterProvider: theirs}}
		h := testsrv.Start(t,
			testsrv.WithServerOptions(append(interceptors.ServerOptions(otelmetrics.NewServer(otelmetrics.WithMeterProvider(ours), otelmetrics.WithA66())),
				grpcotel.ServerOption(plugin))...))
		if err := h.Conn.Invoke(testContext(t), made, &demov1.EchoRequest{}, &demov1.EchoResponse{}); status.Code(err) != codes.Unimplemented {
			t.Fatalf("made-up method: %v, want UNIMPLEMENTED", err)
		}
		if got := ours.summaries(t); len(got) != 0 {
			t.Errorf("grpcobs recorded %v on the server, want nothing", sortedNames(got))
		}
		started := "grpc.server.call.started"
		grpcGo := theirs.settled(t, map[string]metricSummary{started: {Points: map[string]uint64{"": 1}}}, []string{started})
		if names := sortedNames(grpcGo); !slices.Equal(names, []string{started}) {
			t.Errorf("grpc-go recorded %v, want %s alone", names, started)
		}
		if n := pointsWith(grpcGo[started], "grpc.method=other(STRING)"); n != 1 {
			t.Errorf("grpc-go %s{other} = %d, want 1", started, n)
		}
	})
}

// Replacing grpc-go's plugin while keeping its compressed sizes: grpcobs' A66 signal and the
// plugin restricted to the two compressed-size metrics record the plugin's four server
// metrics, each once per call.
func TestA66WithThePluginForCompressedSizes(t *testing.T) {
	mp := newMeters(t)
	plugin := grpcotel.ServerOption(grpcotel.Options{MetricsOptions: grpcotel.MetricsOptions{
		MeterProvider: mp,
		Metrics: stats.NewMetricSet(
			grpcotel.ServerCallSentCompressedTotalMessageSizeMetricName,
			grpcotel.ServerCallRcvdCompressedTotalMessageSizeMetricName,
		),
	}})
	h := testsrv.Start(t, testsrv.WithServerOptions(append(interceptors.ServerOptions(
		otelmetrics.NewServer(otelmetrics.WithMeterProvider(mp), otelmetrics.WithA66()),
	), plugin)...))
	for range 3 {
		if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{Message: "hi"}); err != nil {
			t.Fatalf("Echo: %v", err)
		}
	}
	want := []string{
		"grpc.server.call.duration", "grpc.server.call.rcvd_total_compressed_message_size",
		"grpc.server.call.sent_total_compressed_message_size", "grpc.server.call.started",
	}
	expected := map[string]metricSummary{}
	for _, name := range want {
		expected[name] = metricSummary{Points: map[string]uint64{"": 3}}
	}
	got := mp.settled(t, expected, want)
	if names := sortedNames(got); !slices.Equal(names, want) {
		t.Fatalf("metrics %v, want %v", names, want)
	}
	for _, name := range want {
		if n := got[name].total(); n != 3 {
			t.Errorf("%s recorded %d calls, want 3", name, n)
		}
	}
}

// server.address is the name the client dialled for grpcobs, as the conventions ask; otelgrpc's
// stats handler, used alone, records the address the name resolved to.
func TestServerAddressIsTheDialledName(t *testing.T) {
	h, ours, theirs := semconvPair(t)
	_, port, err := net.SplitHostPort(h.Addr)
	if err != nil {
		t.Fatalf("server address %q: %v", h.Addr, err)
	}
	conn, err := grpc.NewClient("localhost:"+port,
		append(interceptors.DialOptions(otelmetrics.NewClient(otelmetrics.WithMeterProvider(ours))),
			grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithMeterProvider(theirs))),
			grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := demov1.NewDemoServiceClient(conn).Echo(testContext(t), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	client := "rpc.client.call.duration"
	grpcobs := ours.summaries(t)
	otel := theirs.settled(t, grpcobs, []string{client})
	if n := pointsWith(grpcobs[client], "server.address=localhost(STRING) server.port="+port+"(INT64)"); n != 1 {
		t.Errorf("grpcobs: %d calls to server.address=localhost, want 1; points %v", n, grpcobs[client].Points)
	}
	if n := pointsWith(otel[client], "server.address=127.0.0.1(STRING) server.port="+port+"(INT64)"); n != 1 {
		t.Errorf("otelgrpc: %d calls to server.address=127.0.0.1, want 1 (has it started recording the dialled name? update docs/otelmetrics.md); points %v", n, otel[client].Points)
	}
}

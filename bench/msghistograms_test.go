package bench

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// grpcobs' WithClientStreamSendHistogram and WithClientStreamRecvHistogram record what
// go-grpc-middleware's providers/prometheus options of the same names record: on one registry
// (grpcobs under a namespace), the same calls of every type, failed ones included, give both
// the same families (help text, type, label names, buckets) and the same number of
// observations in every series.
func TestClientStreamHistogramsMatchProvidersPrometheus(t *testing.T) {
	reg := prometheus.NewRegistry()
	theirs := grpcprom.NewClientMetrics(grpcprom.WithClientStreamSendHistogram(), grpcprom.WithClientStreamRecvHistogram())
	ours := metrics.NewClientMetrics(metrics.WithNamespace("grpcobs"),
		metrics.WithClientStreamSendHistogram(), metrics.WithClientStreamRecvHistogram())
	reg.MustRegister(theirs, ours)
	h := testsrv.Start(t, testsrv.WithDialOptions(append([]grpc.DialOption{
		grpc.WithChainUnaryInterceptor(theirs.UnaryClientInterceptor()),
		grpc.WithChainStreamInterceptor(theirs.StreamClientInterceptor()),
	}, interceptors.DialOptions(ours)...)...))
	callEveryType(t, h.Demo())

	got := histograms(t, reg)
	for _, name := range []string{"grpc_client_msg_send_handling_seconds", "grpc_client_msg_recv_handling_seconds"} {
		want, have := got[name], got["grpcobs_"+name]
		if want.help == "" || want.help != have.help {
			t.Errorf("%s: help %q, providers/prometheus %q", name, have.help, want.help)
		}
		if len(want.series) != 4 {
			t.Fatalf("%s: providers/prometheus has %d series, want one per call type: %v", name, len(want.series), want.series)
		}
		for labels, w := range want.series {
			if g, ok := have.series[labels]; !ok || g.count != w.count || !slices.Equal(g.bounds, w.bounds) {
				t.Errorf("%s%s: grpcobs %+v, providers/prometheus %+v", name, labels, g, w)
			}
		}
		if len(have.series) != len(want.series) {
			t.Errorf("%s: grpcobs has %d series, providers/prometheus %d", name, len(have.series), len(want.series))
		}
	}
}

// callEveryType makes the benchmarks' unary, server-stream and bidi calls, a failed unary
// call and a client stream.
func callEveryType(t *testing.T, demo demov1.DemoServiceClient) {
	t.Helper()
	ctx := t.Context()
	for _, c := range []call{unaryCall, serverStreamCall, bidiCall} {
		if err := c(ctx, demo); err != nil {
			t.Fatalf("call: %v", err)
		}
	}
	if _, err := demo.Echo(ctx, &demov1.EchoRequest{FailCode: int32(codes.NotFound)}); status.Code(err) != codes.NotFound {
		t.Fatalf("failing Echo: got %v, want NotFound", err)
	}
	cs, err := demo.ClientStream(ctx)
	if err != nil {
		t.Fatalf("ClientStream: %v", err)
	}
	for range 3 {
		if err := cs.Send(&demov1.ClientStreamRequest{Message: "m"}); err != nil {
			t.Fatalf("ClientStream: send: %v", err)
		}
	}
	if _, err := cs.CloseAndRecv(); err != nil {
		t.Fatalf("ClientStream: %v", err)
	}
}

// histogramFamily is a histogram family's help text and, per label set, its observations.
type histogramFamily struct {
	help   string
	series map[string]histogramSeries
}

type histogramSeries struct {
	count  uint64
	bounds []float64
}

// histograms are the histogram families of reg by name, each series keyed by its labels
// (label="value",… sorted), so that the label names are compared too.
func histograms(t *testing.T, reg *prometheus.Registry) map[string]histogramFamily {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	out := map[string]histogramFamily{}
	for _, family := range families {
		f := histogramFamily{help: family.GetHelp(), series: map[string]histogramSeries{}}
		for _, m := range family.GetMetric() {
			h := m.GetHistogram()
			if h == nil {
				continue
			}
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			slices.Sort(labels)
			s := histogramSeries{count: h.GetSampleCount()}
			for _, b := range h.GetBucket() {
				s.bounds = append(s.bounds, b.GetUpperBound())
			}
			f.series["{"+strings.Join(labels, ",")+"}"] = s
		}
		out[family.GetName()] = f
	}
	return out
}

package metrics_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// An option given a value it cannot use makes Register fail with an error that names the
// option, and MustRegister panic with it. The collector still records, with that option's
// default, and nothing panics.
func TestInvalidOptionsFailRegistrationNamingTheOption(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opt     metrics.Option
		wantErr string
	}{
		{"buckets decreasing", metrics.WithHistogramBuckets(1, 0.1), "metrics.WithHistogramBuckets: buckets not sorted: [1 0.1]"},
		{"buckets repeated", metrics.WithHistogramBuckets(0.1, 0.1), "metrics.WithHistogramBuckets: buckets not sorted: [0.1 0.1]"},
		{"no buckets", metrics.WithHistogramBuckets(), "metrics.WithHistogramBuckets: no bounds"},
		{"NaN bucket", metrics.WithHistogramBuckets(0.1, math.NaN()), "metrics.WithHistogramBuckets: bound 1 is NaN"},
		{"-Inf bucket", metrics.WithHistogramBuckets(math.Inf(-1), 1), "metrics.WithHistogramBuckets: bound 0 is -Inf"},
		{"+Inf not last", metrics.WithHistogramBuckets(math.Inf(1), 1), "metrics.WithHistogramBuckets: +Inf is not the last bound"},
		{"native factor 1", metrics.WithNativeHistograms(1), "metrics.WithNativeHistograms: factor 1: want a number greater than 1"},
		{"native factor 0", metrics.WithNativeHistograms(0), "metrics.WithNativeHistograms: factor 0:"},
		{"native factor NaN", metrics.WithNativeHistograms(math.NaN()), "metrics.WithNativeHistograms: factor NaN:"},
		{"native factor +Inf", metrics.WithNativeHistograms(math.Inf(1)), "metrics.WithNativeHistograms: factor +Inf:"},
		{"negative exemplar interval", metrics.WithExemplarInterval(-time.Second), "metrics.WithExemplarInterval: negative interval -1s"},
		{"constant label named like a variable one", metrics.WithConstLabels(prometheus.Labels{"grpc_code": "x"}), "metrics.WithConstLabels: duplicate label names"},
		{"constant label le", metrics.WithConstLabels(prometheus.Labels{"le": "1"}), `metrics.WithConstLabels: constant label "le" is reserved`},
		{"reserved constant label name", metrics.WithConstLabels(prometheus.Labels{"__name__": "x"}), "metrics.WithConstLabels: "},
		{"constant label value not UTF-8", metrics.WithConstLabels(prometheus.Labels{"component": "\xff"}), "metrics.WithConstLabels: "},
		{"namespace not UTF-8", metrics.WithNamespace("\xff"), "metrics.WithNamespace: "},
		{"send histogram buckets decreasing", metrics.WithClientStreamSendHistogram(1, 0.1), "metrics.WithClientStreamSendHistogram: buckets not sorted: [1 0.1]"},
		{"receive histogram NaN bucket", metrics.WithClientStreamRecvHistogram(math.NaN()), "metrics.WithClientStreamRecvHistogram: bound 0 is NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, cli := metrics.NewServerMetrics(tc.opt), metrics.NewClientMetrics(tc.opt)
			for _, c := range []prometheus.Collector{srv, cli} {
				if err := prometheus.NewRegistry().Register(c); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("Register: got %v, want an error containing %q", err, tc.wantErr)
				}
				if got := mustRegisterPanic(c); got == nil || !strings.Contains(got.Error(), tc.wantErr) {
					t.Errorf("MustRegister panicked with %v, want an error containing %q", got, tc.wantErr)
				}
			}

			h := testsrv.Start(t,
				testsrv.WithServerOptions(interceptors.ServerOptions(srv)...),
				testsrv.WithDialOptions(interceptors.DialOptions(cli)...))
			if _, err := h.Demo().Echo(t.Context(), &demov1.EchoRequest{}); err != nil {
				t.Fatalf("Echo: %v", err)
			}
			for _, c := range []prometheus.Collector{srv, cli} {
				// started, handled, the two message counters, in flight and the histogram
				if got := collected(c); got != 6 {
					t.Errorf("collected %d series after one call, want 6", got)
				}
				bounds, native := histogramOf(t, c)
				if want := []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}; !slices.Equal(bounds, want) || native {
					t.Errorf("histogram: buckets %v, native %v; want the default buckets %v, classic only", bounds, native, want)
				}
			}
		})
	}
}

// Every option that cannot be used is named, not only the first.
func TestEveryInvalidOptionIsNamed(t *testing.T) {
	m := metrics.NewServerMetrics(
		metrics.WithNamespace("shop"), // valid
		metrics.WithHistogramBuckets(2, 1),
		metrics.WithConstLabels(prometheus.Labels{"grpc_method": "x"}),
	)
	err := prometheus.NewRegistry().Register(m)
	for _, want := range []string{"metrics.WithHistogramBuckets: buckets not sorted: [2 1]", "metrics.WithConstLabels: "} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Register: got %v, want an error containing %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "WithNamespace") {
		t.Errorf("Register: %v names WithNamespace, whose value is valid", err)
	}
}

// mustRegisterPanic registers c with MustRegister on a new registry and returns the error it
// panicked with, or nil.
func mustRegisterPanic(c prometheus.Collector) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if e, ok := v.(error); ok {
				err = e
			} else {
				err = errors.New("panic with a value that is not an error")
			}
		}
	}()
	prometheus.NewRegistry().MustRegister(c)
	return nil
}

// histogramOf is the bucket bounds of the one histogram series c collects, and whether it is
// native too.
func histogramOf(t *testing.T, c prometheus.Collector) (bounds []float64, native bool) {
	t.Helper()
	ch := make(chan prometheus.Metric)
	go func() {
		c.Collect(ch)
		close(ch)
	}()
	var found int
	for m := range ch {
		var out dto.Metric
		if err := m.Write(&out); err != nil {
			t.Errorf("write %v: %v", m.Desc(), err)
			continue
		}
		if h := out.GetHistogram(); h != nil {
			found++
			native = h.Schema != nil
			for _, b := range h.GetBucket() {
				bounds = append(bounds, b.GetUpperBound())
			}
		}
	}
	if found != 1 {
		t.Fatalf("collected %d histogram series, want 1", found)
	}
	return bounds, native
}

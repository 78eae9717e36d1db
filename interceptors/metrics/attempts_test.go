package metrics_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/grpc"
)

// WithAttempts alone (no tracing) counts each attempt, with the same known-method bound as
// the other series: a method that is not known is "other". The retry policies themselves are
// exercised in internal/attempts.
func TestAttemptsCountedUnderTheKnownMethodBound(t *testing.T) {
	m := metrics.NewClientMetrics(metrics.WithAttempts())
	h := testsrv.Start(t,
		testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)),
		testsrv.WithDialOptions(interceptors.DialOptions(m)...))
	if _, err := h.Demo().Echo(t.Context(), &demov1.EchoRequest{Message: "known"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	random := testsrv.RandomMethod(rand.New(rand.NewPCG(1, 2)))
	if err := h.Conn.Invoke(t.Context(), random, &demov1.EchoRequest{}, &demov1.EchoResponse{}); err != nil {
		t.Fatalf("Invoke(%s): %v", random, err)
	}
	const want = `
# HELP grpc_client_attempts_total Total number of attempts of RPCs made by the client, retries included, by the code each attempt ended with.
# TYPE grpc_client_attempts_total counter
grpc_client_attempts_total{grpc_code="OK",grpc_method="Echo",grpc_service="grpcobs.demo.v1.DemoService",grpc_type="unary"} 1
grpc_client_attempts_total{grpc_code="OK",grpc_method="other",grpc_service="other",grpc_type="unary"} 1
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), "grpc_client_attempts_total"); err != nil {
		t.Error(err)
	}
}

// Attempts are seen only through interceptors.DialOptions: with the client interceptor alone,
// the series stays empty.
func TestNoAttemptsWithoutDialOptions(t *testing.T) {
	m := metrics.NewClientMetrics(metrics.WithAttempts())
	h := testsrv.Start(t, testsrv.WithDialOptions(grpc.WithChainUnaryInterceptor(interceptors.UnaryClientInterceptor(m))))
	if _, err := h.Demo().Echo(t.Context(), &demov1.EchoRequest{Message: "hi"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	if n := testutil.CollectAndCount(m, "grpc_client_attempts_total"); n != 0 {
		t.Errorf("grpc_client_attempts_total has %d series, want none", n)
	}
	if n := testutil.CollectAndCount(m, "grpc_client_handled_total"); n != 1 {
		t.Errorf("grpc_client_handled_total has %d series, want the call's", n)
	}
}

// Without WithAttempts, and on a server, there is no attempts series at all.
func TestNoAttemptsSeriesUnlessAClientAsks(t *testing.T) {
	for name, c := range map[string]prometheus.Collector{
		"client without the option": metrics.NewClientMetrics(),
		"server with the option":    metrics.NewServerMetrics(metrics.WithAttempts()),
	} {
		ch := make(chan *prometheus.Desc, 16)
		c.Describe(ch)
		close(ch)
		for d := range ch {
			if strings.Contains(d.String(), "attempts") {
				t.Errorf("%s describes %s", name, d)
			}
		}
	}
}

package rpcconv_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors/internal/rpcconv"
	"go.opentelemetry.io/otel/attribute"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The targets go through grpc.NewClient, so that Target and CanonicalTarget are what gRPC
// makes of them (CanonicalTarget turns unix:relative.sock into unix:///relative.sock and
// decodes %25, so it cannot be read alone).
func TestServerAttributesOfClientTargets(t *testing.T) {
	addr := func(a string) attribute.KeyValue { return attribute.String("server.address", a) }
	port := func(p int) attribute.KeyValue { return attribute.Int("server.port", p) }
	for _, tc := range []struct {
		target string
		want   []attribute.KeyValue
	}{
		{"example.com:443", []attribute.KeyValue{addr("example.com"), port(443)}},
		{"dns:///example.com:443", []attribute.KeyValue{addr("example.com"), port(443)}},
		{"DNS:///example.com:443", []attribute.KeyValue{addr("example.com"), port(443)}},
		{"dns://8.8.8.8/example.com:443", []attribute.KeyValue{addr("example.com"), port(443)}},
		{"dns:///example.com", []attribute.KeyValue{addr("example.com")}},
		{"example.com", []attribute.KeyValue{addr("example.com")}},
		{"passthrough:///10.0.0.1:7", []attribute.KeyValue{addr("10.0.0.1"), port(7)}},
		{"passthrough:///bufnet", []attribute.KeyValue{addr("bufnet")}},
		{"127.0.0.1:9090", []attribute.KeyValue{addr("127.0.0.1"), port(9090)}},
		{"dns:///[::1]:50051", []attribute.KeyValue{addr("::1"), port(50051)}},
		{"[::1]:50051", []attribute.KeyValue{addr("::1"), port(50051)}},
		{"dns:///[::1]", []attribute.KeyValue{addr("::1")}},
		{"dns:///[fe80::1%25eth0]:50051", []attribute.KeyValue{addr("fe80::1%eth0"), port(50051)}},
		{"dns:///host:99999", []attribute.KeyValue{addr("host")}},
		{"example.com:99999", []attribute.KeyValue{addr("example.com")}},
		{"unix:///run/app.sock", []attribute.KeyValue{addr("/run/app.sock")}},
		{"unix:/run/app.sock", []attribute.KeyValue{addr("/run/app.sock")}},
		{"unix:relative.sock", []attribute.KeyValue{addr("relative.sock")}},
		{"unix:///tmp/100%25.sock", []attribute.KeyValue{addr("/tmp/100%.sock")}},
		{"unix-abstract:grpc-abstract", []attribute.KeyValue{addr("grpc-abstract")}},
	} {
		t.Run(tc.target, func(t *testing.T) {
			cc, err := grpc.NewClient(tc.target, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatalf("NewClient(%q): %v", tc.target, err)
			}
			defer func() { _ = cc.Close() }()
			got := rpcconv.ServerAttributes(cc.Target(), cc.CanonicalTarget())
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b attribute.KeyValue) bool { return a == b })); diff != "" {
				t.Errorf("attributes of %q (canonical %q) (-want +got):\n%s", tc.target, cc.CanonicalTarget(), diff)
			}
		})
	}
}

func TestServerAttributesOfNoTarget(t *testing.T) {
	for _, canonical := range []string{"", "dns:///"} {
		if got := rpcconv.ServerAttributes("", canonical); got != nil {
			t.Errorf("ServerAttributes(%q, %q) = %v, want none", "", canonical, got)
		}
	}
}

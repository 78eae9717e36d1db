package tracing

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
)

func TestServerAttributesOfTargets(t *testing.T) {
	for _, tc := range []struct {
		target string
		want   map[string]string // server.address, and server.port when there is one
	}{
		{"", map[string]string{}},
		{"dns:///example.com:443", map[string]string{"server.address": "example.com", "server.port": "443"}},
		{"dns://8.8.8.8/example.com:443", map[string]string{"server.address": "example.com", "server.port": "443"}},
		{"dns:///example.com", map[string]string{"server.address": "example.com"}},
		{"passthrough:///10.0.0.1:7", map[string]string{"server.address": "10.0.0.1", "server.port": "7"}},
		{"passthrough:///bufnet", map[string]string{"server.address": "bufnet"}},
		{"dns:///[::1]:50051", map[string]string{"server.address": "::1", "server.port": "50051"}},
		{"127.0.0.1:9090", map[string]string{"server.address": "127.0.0.1", "server.port": "9090"}},
		{"unix:///run/app.sock", map[string]string{"server.address": "/run/app.sock"}},
		{"unix:relative.sock", map[string]string{"server.address": "relative.sock"}},
		{"unix-abstract:grpc-abstract", map[string]string{"server.address": "grpc-abstract"}},
		{"xds:///service.namespace:8080", map[string]string{"server.address": "service.namespace", "server.port": "8080"}},
		{"dns:///host:notaport", map[string]string{"server.address": "host"}},
		{"%zz", map[string]string{"server.address": "%zz"}},
	} {
		t.Run(tc.target, func(t *testing.T) {
			got := map[string]string{}
			for _, kv := range appendServerAttributes(nil, tc.target) {
				got[string(kv.Key)] = kv.Value.String()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("attributes of %q (-want +got):\n%s", tc.target, diff)
			}
		})
	}
}

func TestServerAttributesAppendToWhatIsThere(t *testing.T) {
	method := []attribute.KeyValue{attribute.String("rpc.method", "pkg.Svc/M")}
	got := appendServerAttributes(method, "dns:///example.com:443")
	if len(got) != 3 || got[0] != method[0] {
		t.Errorf("appendServerAttributes = %v, want rpc.method then server.address and server.port", got)
	}
}

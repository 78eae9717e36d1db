package health_test

import (
	"context"
	"testing"
	"unicode/utf8"

	"github.com/grpcobs/grpcobs/health"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// FuzzServiceName sends any service name through Check and Watch over real gRPC: a known
// service gets its status, any other NOT_FOUND from Check and SERVICE_UNKNOWN from Watch,
// and nothing panics. Names that are not UTF-8 cannot travel in a proto3 string, so the
// client refuses them; the server, called directly, still answers NOT_FOUND. The seed corpus
// is in testdata/fuzz/FuzzServiceName.
func FuzzServiceName(f *testing.F) {
	r, _ := newRegistry(f)
	if err := r.Register("dep", health.CheckFunc(passes), health.Gates(health.Readiness, "grpcobs.demo.v1.DemoService")); err != nil {
		f.Fatalf("Register: %v", err) // never started: pending, so what it gates is NOT_SERVING
	}
	if err := r.AddService("pkg.Plain"); err != nil {
		f.Fatalf("AddService: %v", err)
	}
	known := r.Report().Services
	srv := health.NewServer(r)
	client := healthpb.NewHealthClient(serveHealth(f, srv).Conn)

	f.Fuzz(func(t *testing.T, service string) {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		req := &healthpb.HealthCheckRequest{Service: service}
		want, isKnown := known[service]

		if !utf8.ValidString(service) {
			if _, err := client.Check(ctx, req); status.Code(err) != codes.Internal {
				t.Fatalf("Check(%q) over gRPC: %v, want the client to refuse it with INTERNAL", service, err)
			}
			if _, err := srv.Check(ctx, req); status.Code(err) != codes.NotFound {
				t.Fatalf("Check(%q) called directly: %v, want NOT_FOUND", service, err)
			}
			return
		}

		resp, err := client.Check(ctx, req)
		switch {
		case isKnown && (err != nil || resp.GetStatus() != want):
			t.Fatalf("Check(%q) = %v, %v; want %v", service, resp.GetStatus(), err, want)
		case !isKnown && (status.Code(err) != codes.NotFound || status.Convert(err).Message() != "unknown service"):
			t.Fatalf("Check(%q) error = %v, want NOT_FOUND \"unknown service\"", service, err)
		}

		stream, err := client.Watch(ctx, req)
		if err != nil {
			t.Fatalf("Watch(%q): %v", service, err)
		}
		first, err := stream.Recv()
		if !isKnown {
			want = healthpb.HealthCheckResponse_SERVICE_UNKNOWN
		}
		if err != nil || first.GetStatus() != want {
			t.Fatalf("Watch(%q) first message = %v, %v; want %v", service, first.GetStatus(), err, want)
		}
	})
}

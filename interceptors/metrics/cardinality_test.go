package metrics_test

import (
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// An attacker calling 10,000 random method names, through a server with an unknown-service
// handler and through a client, adds no series and does not grow memory.
func TestRandomMethodNamesAddNoSeries(t *testing.T) {
	s := startStack(t, stackConfig{harness: []testsrv.Option{
		testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)),
	}})
	if _, err := s.Demo().Echo(t.Context(), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	// Warm up: connection buffers, pools and the series of "other" come to their size.
	const warmUp, attack = 1_000, 10_000
	testsrv.CallRandomMethods(t, t.Context(), s.Conn, 1, warmUp)
	before := testsrv.HeapAfterGC()
	testsrv.CallRandomMethods(t, t.Context(), s.Conn, 2, attack)
	growth := testsrv.HeapAfterGC() - before

	// Each name is about 100 bytes: keeping the 10,000 names on both sides would take 2 MB
	// and more. What is left must be noise.
	const maxGrowth = 256 << 10
	t.Logf("live heap grew by %d bytes over %d calls", growth, attack)
	if growth > maxGrowth {
		t.Errorf("live heap grew by %d bytes over %d calls to random methods, want at most %d", growth, attack, maxGrowth)
	}

	// Every family has two series: Echo's and other's. The unknown-service handler serves
	// every method as a bidi stream; the client made unary calls.
	for name, got := range seriesPerFamily(t, s.reg) {
		if got != 2 {
			t.Errorf("%s has %d series, want 2 (Echo and other)", name, got)
		}
	}
	if got := len(seriesPerFamily(t, s.reg)); got != 12 {
		t.Errorf("gathered %d families, want 12", got)
	}
	other := func(typ interceptors.GRPCType) labels {
		return labels{"grpc_type": string(typ), "grpc_service": "other", "grpc_method": "other"}
	}
	for _, tc := range []struct {
		name   string
		labels labels
	}{
		{"grpc_server_started_total", other(interceptors.BidiStream)},
		{"grpc_server_handled_total", other(interceptors.BidiStream).with("grpc_code", "OK")},
		{"grpc_server_msg_received_total", other(interceptors.BidiStream)},
		{"grpc_client_started_total", other(interceptors.Unary)},
		{"grpc_client_handled_total", other(interceptors.Unary).with("grpc_code", "OK")},
		{"grpc_client_msg_received_total", other(interceptors.Unary)},
	} {
		if got := value(t, s.reg, tc.name, tc.labels); got != warmUp+attack {
			t.Errorf("%s%v = %v, want %d", tc.name, tc.labels, got, warmUp+attack)
		}
	}
	if got := value(t, s.reg, "grpc_server_started_total", demoMethod(interceptors.Unary, "Echo")); got != 1 {
		t.Errorf("Echo, a known method, kept %v calls under its name, want 1", got)
	}
}

// A method name that is not valid UTF-8 cannot be a label value: it counts as other, and
// nothing panics.
func TestInvalidUTF8MethodNamesCountAsOther(t *testing.T) {
	s := startStack(t, stackConfig{harness: []testsrv.Option{
		testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)),
	}})
	var resp demov1.EchoResponse
	if err := s.Conn.Invoke(t.Context(), "/bad\xff.Service/M\xfe", &demov1.EchoRequest{}, &resp); err != nil {
		t.Fatalf("invalid UTF-8 method: %v", err)
	}
	for _, side := range []string{"server", "client"} {
		got := seriesPerFamily(t, s.reg)["grpc_"+side+"_started_total"]
		if got != 1 || find(t, s.reg, "grpc_"+side+"_started_total", labels{"grpc_service": "other", "grpc_method": "other"}) == nil {
			t.Errorf("grpc_%s_started_total: %d series, want only other's", side, got)
		}
	}
}

// A peer can end a call with any number as its code: every code outside the 17 of gRPC counts
// as Unknown, so invented codes add no series.
func TestCodesOutsideGRPCCountAsUnknown(t *testing.T) {
	var calls atomic.Uint32
	invented := func(any, grpc.ServerStream) error {
		return status.Error(codes.Code(17+1000*calls.Add(1)), "a code gRPC does not have")
	}
	s := startStack(t, stackConfig{harness: []testsrv.Option{
		testsrv.WithServerOptions(grpc.UnknownServiceHandler(invented)),
	}})
	for range 5 {
		var resp demov1.EchoResponse
		err := s.Conn.Invoke(t.Context(), "/grpcobs.demo.v1.DemoService/Missing", &demov1.EchoRequest{}, &resp)
		if code := status.Code(err); code <= codes.Unauthenticated {
			t.Fatalf("call ended with %v, want a code outside gRPC's", err)
		}
	}
	for _, side := range []string{"server", "client"} {
		name := "grpc_" + side + "_handled_total"
		if got := seriesPerFamily(t, s.reg)[name]; got != 1 {
			t.Errorf("%s has %d series, want 1", name, got)
		}
		if got := value(t, s.reg, name, labels{"grpc_code": "Unknown"}); got != 5 {
			t.Errorf("%s{grpc_code=\"Unknown\"} = %v, want 5", name, got)
		}
	}
}

// Nothing that identifies the caller, and none of its credentials, reaches a label or an
// exemplar: not the peer address, not metadata, not a method name.
func TestCredentialsAndPeersNeverReachLabels(t *testing.T) {
	const secret = "s3cr3t-token"
	s := startStack(t, stackConfig{harness: []testsrv.Option{
		testsrv.WithTCP(),
		testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)),
	}})
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+secret, "x-api-key", secret)
	if _, err := s.Demo().Echo(ctx, &demov1.EchoRequest{Message: secret}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	var resp demov1.EchoResponse
	if err := s.Conn.Invoke(ctx, "/"+secret+".Auth/Login", &demov1.EchoRequest{Message: secret}, &resp); err != nil {
		t.Fatalf("Login: %v", err)
	}

	host := s.Addr[:strings.LastIndex(s.Addr, ":")]
	for _, accept := range []string{"text/plain", "application/openmetrics-text; version=1.0.0"} {
		body, _ := scrape(t, s.reg, accept)
		for _, leak := range []string{secret, s.Addr, host, "peer"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s output contains %q", accept, leak)
			}
		}
	}
	for _, mf := range gather(t, s.reg) {
		want := []string{"grpc_method", "grpc_service", "grpc_type"}
		if strings.HasSuffix(mf.GetName(), "_handled_total") {
			want = []string{"grpc_code", "grpc_method", "grpc_service", "grpc_type"}
		}
		for _, m := range mf.GetMetric() {
			var got []string
			for _, l := range m.GetLabel() {
				got = append(got, l.GetName())
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s has labels %v, want exactly %v", mf.GetName(), got, want)
			}
		}
	}
}

package tracing_test

import (
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// A method no linked generated code declares is a name the caller made up: its spans are named
// "grpc" with rpc.method "_OTHER" on both sides, and only rpc.method_original (bounded) carries
// the name sent, so a scanner cannot mint span names.
func TestUndeclaredMethodsGetBoundedSpanNames(t *testing.T) {
	tr := newTraces(t)
	h := startTraced(t, tr, nil, nil, testsrv.WithServerOptions(grpc.UnknownServiceHandler(testsrv.EchoAnything)))

	long := "/scan.Service/" + strings.Repeat("x", 1000)
	for _, method := range []string{"/scan.Service/Probe", long} {
		if err := h.Conn.Invoke(testContext(t), method, &demov1.EchoRequest{}, &demov1.EchoResponse{}); err != nil {
			t.Fatalf("Invoke %.40s…: %v", method, err)
		}
	}
	spans := tr.ended(t, 4)
	for _, s := range spans {
		a := attrs(s.Attributes())
		if s.Name() != "grpc" || a["rpc.method"] != "_OTHER" {
			t.Errorf("%v span %q with rpc.method %q, want span \"grpc\" with rpc.method \"_OTHER\"", s.SpanKind(), s.Name(), a["rpc.method"])
		}
		original := a["rpc.method_original"]
		if !strings.HasPrefix(original, "scan.Service/") || len(original) > 256 {
			t.Errorf("%v span rpc.method_original = %.60q (%d bytes), want the name sent, at most 256 bytes", s.SpanKind(), original, len(original))
		}
	}

	// A declared method keeps its name.
	if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	spans = tr.ended(t, 6)
	only(t, spans, trace.SpanKindServer, echoMethod)
	only(t, spans, trace.SpanKindClient, echoMethod)
}

package tracing_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	otelcodes "go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// canonical are the gRPC code names of the gRPC specification, by code.
var canonical = []string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
	"OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
}

// serverErrors are the codes a server span calls errors (the OpenTelemetry RPC conventions).
var serverErrors = map[codes.Code]bool{
	codes.Unknown: true, codes.DeadlineExceeded: true, codes.Unimplemented: true,
	codes.Internal: true, codes.Unavailable: true, codes.DataLoss: true,
}

func TestStatusOnBothSidesForEveryCode(t *testing.T) {
	for code := codes.OK; code <= codes.Unauthenticated; code++ {
		t.Run(canonical[code], func(t *testing.T) {
			tr := newTraces(t)
			h := startTraced(t, tr, nil, nil)
			_, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{FailCode: int32(code)})
			if status.Code(err) != code {
				t.Fatalf("Echo with fail_code %d: %v, want code %v", code, err, code)
			}
			spans := tr.ended(t, 2)
			message := ""
			if code != codes.OK {
				message = "failure requested with fail_code " + strconv.Itoa(int(code))
			}
			check := func(span sdktrace.ReadOnlySpan, isError bool) {
				t.Helper()
				want := sdktrace.Status{Code: otelcodes.Unset}
				wantAttrs := map[string]string{"rpc.response.status_code": canonical[code]}
				if isError {
					want = sdktrace.Status{Code: otelcodes.Error, Description: message}
					wantAttrs["error.type"] = canonical[code]
				}
				if diff := cmp.Diff(want, span.Status()); diff != "" {
					t.Errorf("%v span status (-want +got):\n%s", span.SpanKind(), diff)
				}
				got := attrs(span.Attributes())
				for _, k := range []string{"rpc.response.status_code", "error.type"} {
					if got[k] != wantAttrs[k] {
						t.Errorf("%v span %s = %q, want %q", span.SpanKind(), k, got[k], wantAttrs[k])
					}
				}
			}
			check(only(t, spans, trace.SpanKindClient, echoMethod), code != codes.OK)
			check(only(t, spans, trace.SpanKindServer, echoMethod), serverErrors[code])
		})
	}
}

// strangeCodeService answers every Echo with code 42, which gRPC does not define.
type strangeCodeService struct {
	demov1.UnimplementedDemoServiceServer
}

func (strangeCodeService) Echo(context.Context, *demov1.EchoRequest) (*demov1.EchoResponse, error) {
	return nil, status.Error(codes.Code(42), "from the future")
}

func TestCodeOutsideTheKnownRangeIsAnErrorOnBothSides(t *testing.T) {
	tr := newTraces(t)
	h := startTraced(t, tr, nil, nil, testsrv.WithRegister(func(s *grpc.Server) {
		demov1.RegisterDemoServiceServer(s, strangeCodeService{})
	}))
	if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{}); status.Code(err) != codes.Code(42) {
		t.Fatalf("Echo: %v, want code 42", err)
	}
	for _, span := range tr.ended(t, 2) {
		got := attrs(span.Attributes())
		if got["rpc.response.status_code"] != "CODE(42)" || got["error.type"] != "CODE(42)" {
			t.Errorf("%v span rpc.response.status_code %q, error.type %q, want CODE(42) for both",
				span.SpanKind(), got["rpc.response.status_code"], got["error.type"])
		}
		if want := (sdktrace.Status{Code: otelcodes.Error, Description: "from the future"}); span.Status() != want {
			t.Errorf("%v span status %v, want %v", span.SpanKind(), span.Status(), want)
		}
	}
}

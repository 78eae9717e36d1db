package interceptors_test

import (
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	otelcodes "go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestStatusPolicyOptionsChangeOnlyTheirSide(t *testing.T) {
	p := interceptors.NewStatusPolicy(
		interceptors.NotErrorsOnClient(codes.NotFound),
		interceptors.NotErrorsOnServer(codes.Unimplemented),
		interceptors.ErrorsOnServer(codes.ResourceExhausted),
	)
	def := interceptors.DefaultStatusPolicy()
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		wantClient, wantServer := def.IsError(true, c), def.IsError(false, c)
		switch c {
		case codes.NotFound:
			wantClient = false
		case codes.Unimplemented:
			wantServer = false
		case codes.ResourceExhausted:
			wantServer = true
		}
		if got := p.IsError(true, c); got != wantClient {
			t.Errorf("client IsError(%v) = %v, want %v", c, got, wantClient)
		}
		if got := p.IsError(false, c); got != wantServer {
			t.Errorf("server IsError(%v) = %v, want %v", c, got, wantServer)
		}
		if def.IsError(true, c) != interceptors.IsError(true, c) || def.IsError(false, c) != interceptors.IsError(false, c) {
			t.Errorf("DefaultStatusPolicy and IsError disagree on %v", c)
		}
	}
	if !p.IsError(false, codes.Code(42)) {
		t.Error("an out-of-range code must stay an error")
	}
	if p == def || interceptors.NewStatusPolicy() != def {
		t.Error("policies must compare by the codes they call errors")
	}
}

func TestStatusPolicyRefusesCodesItCannotChange(t *testing.T) {
	for _, c := range []codes.Code{codes.OK, codes.Code(17)} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, "interceptors.NotErrorsOnClient") {
					t.Errorf("NotErrorsOnClient(%v) panicked with %q, want a message naming the option", c, msg)
				}
			}()
			interceptors.NotErrorsOnClient(c)
		}()
	}
}

// Signals of one stack that follow different policies are a wiring mistake, refused when the
// stack is built.
func TestStackRefusesSignalsWithDifferentStatusPolicies(t *testing.T) {
	relaxed := interceptors.NewStatusPolicy(interceptors.NotErrorsOnClient(codes.NotFound))
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "interceptors.DialOptions") || !strings.Contains(msg, "different status policies") {
			t.Errorf("DialOptions panicked with %q, want a message about different status policies", msg)
		}
	}()
	interceptors.DialOptions(tracing.NewClient(tracing.WithStatusPolicy(relaxed)), logging.NewClient(logrus.New()))
	t.Error("DialOptions accepted signals with different status policies")
}

// One policy, given to every signal, decides span status and log level alike.
func TestOneStatusPolicyDrivesSpanStatusAndLogLevel(t *testing.T) {
	relaxed := interceptors.NewStatusPolicy(interceptors.NotErrorsOnClient(codes.NotFound))
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	logs := &lockedBuffer{}
	logger := logrus.New()
	logger.SetOutput(logs)
	logger.SetFormatter(&logrus.JSONFormatter{})
	h := testsrv.Start(t, testsrv.WithDialOptions(interceptors.DialOptions(
		tracing.NewClient(tracing.WithTracerProvider(tp), tracing.WithStatusPolicy(relaxed)),
		logging.NewClient(logger, logging.WithStatusPolicy(relaxed)),
	)...))
	c := h.Demo()
	for _, code := range []codes.Code{codes.NotFound, codes.PermissionDenied} {
		if _, err := c.Echo(testContext(t), &demov1.EchoRequest{FailCode: int32(code)}); status.Code(err) != code {
			t.Fatalf("Echo = %v, want %v", err, code)
		}
	}
	want := map[string]otelcodes.Code{"NOT_FOUND": otelcodes.Unset, "PERMISSION_DENIED": otelcodes.Error}
	ended := spans.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans, want 2", len(ended))
	}
	for _, sp := range ended {
		code := ""
		for _, a := range sp.Attributes() {
			if a.Key == "rpc.response.status_code" {
				code = a.Value.AsString()
			}
		}
		wantStatus, known := want[code]
		if !known || sp.Status().Code != wantStatus {
			t.Errorf("span of a call ending %q has status %v, want %v", code, sp.Status().Code, wantStatus)
		}
	}
	wantLevel := map[string]string{"NotFound": "warning", "PermissionDenied": "error"}
	lines := logs.lines(t)
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2", len(lines))
	}
	for _, line := range lines {
		code, _ := line["grpc.code"].(string)
		if got := line["level"]; got != wantLevel[code] {
			t.Errorf("line of a call ending %s at %v, want %s", code, got, wantLevel[code])
		}
	}
}

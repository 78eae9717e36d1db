package interceptors_test

import (
	"fmt"
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
	p := mustPolicy(t,
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
	}
	if !p.IsError(false, codes.Code(42)) {
		t.Error("an out-of-range code must stay an error")
	}
	if p == def || mustPolicy(t) != def || (interceptors.StatusPolicy{}) != def {
		t.Error("policies must compare by the codes they call errors")
	}
}

// Two policies built differently that call the same codes errors are ==, so the stack takes
// them as one: the zero policy and the default, and options that set a code to what it was.
func TestStatusPoliciesThatDecideAlikeAreEqual(t *testing.T) {
	def := interceptors.DefaultStatusPolicy()
	for name, p := range map[string]interceptors.StatusPolicy{
		"StatusPolicy{}":                        {},
		"ErrorsOnServer(Internal)":              mustPolicy(t, interceptors.ErrorsOnServer(codes.Internal)),
		"NotErrorsOnServer(NotFound)":           mustPolicy(t, interceptors.NotErrorsOnServer(codes.NotFound)),
		"NotErrorsOnServer then ErrorsOnServer": mustPolicy(t, interceptors.NotErrorsOnServer(codes.Unavailable), interceptors.ErrorsOnServer(codes.Unavailable)),
		"ErrorsOnServer then NotErrorsOnServer": mustPolicy(t, interceptors.ErrorsOnServer(codes.Aborted), interceptors.NotErrorsOnServer(codes.Aborted)),
	} {
		if p != def {
			t.Errorf("%s != DefaultStatusPolicy(): %v", name, p)
		}
	}
	relaxed := mustPolicy(t, interceptors.NotErrorsOnClient(codes.NotFound))
	if again := mustPolicy(t, interceptors.NotErrorsOnClient(codes.NotFound, codes.NotFound)); again != relaxed {
		t.Errorf("the same policy built twice differs: %v, %v", relaxed, again)
	}
}

// The zero policy on one signal and the default on another are one policy: the stack builds,
// on both sides, and its calls are recorded.
func TestStackTakesTheZeroAndTheDefaultPolicyAsOne(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	logs := &lockedBuffer{}
	logger := logrus.New()
	logger.SetOutput(logs)
	logger.SetFormatter(&logrus.JSONFormatter{})
	h := testsrv.Start(t,
		testsrv.WithServerOptions(interceptors.ServerOptions(
			tracing.NewServer(tracing.WithTracerProvider(tp), tracing.WithStatusPolicy(interceptors.StatusPolicy{})),
			logging.NewServer(logger, logging.WithStatusPolicy(interceptors.DefaultStatusPolicy())),
		)...),
		testsrv.WithDialOptions(interceptors.DialOptions(
			tracing.NewClient(tracing.WithTracerProvider(tp), tracing.WithStatusPolicy(interceptors.DefaultStatusPolicy())),
			logging.NewClient(logger, logging.WithStatusPolicy(interceptors.StatusPolicy{})),
		)...))
	if _, err := h.Demo().Echo(testContext(t), &demov1.EchoRequest{FailCode: int32(codes.NotFound)}); status.Code(err) != codes.NotFound {
		t.Fatalf("Echo = %v, want NotFound", err)
	}
	if n := len(spans.Ended()); n != 2 {
		t.Errorf("%d spans, want 2 (server and client)", n)
	}
	levels := map[string]bool{}
	for _, line := range logs.lines(t) {
		levels[fmt.Sprint(line["level"])] = true
	}
	// The default policy: NOT_FOUND is the caller's problem on the server (warn) and a failed
	// call on the client (error).
	if !levels["warning"] || !levels["error"] || len(levels) != 2 {
		t.Errorf("log levels %v, want warning (server) and error (client)", levels)
	}
}

// A code a policy cannot change is an error of NewStatusPolicy that names the option.
func TestStatusPolicyRefusesCodesItCannotChange(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  func(...codes.Code) interceptors.StatusPolicyOption
	}{
		{"NotErrorsOnClient", interceptors.NotErrorsOnClient},
		{"NotErrorsOnServer", interceptors.NotErrorsOnServer},
		{"ErrorsOnServer", interceptors.ErrorsOnServer},
	} {
		for _, c := range []codes.Code{codes.OK, codes.Code(17)} {
			p, err := interceptors.NewStatusPolicy(tc.opt(codes.NotFound, c))
			want := fmt.Sprintf("interceptors.%s: %v is not a code a policy can change", tc.name, c)
			if err == nil || !strings.Contains(err.Error(), want) || p != interceptors.DefaultStatusPolicy() {
				t.Errorf("NewStatusPolicy(%s(NotFound, %v)) = %v, %v; want the default policy and an error containing %q", tc.name, c, p, err, want)
			}
		}
	}
}

// mustPolicy is NewStatusPolicy for options that are known good.
func mustPolicy(t testing.TB, opts ...interceptors.StatusPolicyOption) interceptors.StatusPolicy {
	t.Helper()
	p, err := interceptors.NewStatusPolicy(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Signals of one stack that follow different policies are a wiring mistake, refused when the
// stack is built.
func TestStackRefusesSignalsWithDifferentStatusPolicies(t *testing.T) {
	relaxed := mustPolicy(t, interceptors.NotErrorsOnClient(codes.NotFound))
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "interceptors.DialOptions") || !strings.Contains(msg, "different status policies") {
			t.Errorf("DialOptions panicked with %q, want a message about different status policies", msg)
		}
		// The message says how the policies differ, and only that.
		if want := "*logging.Client calls NotFound an error on the client, *tracing.Client does not"; !strings.Contains(msg, want) {
			t.Errorf("DialOptions panicked with %q, want it to say %q", msg, want)
		}
		if strings.Contains(msg, "Unavailable") {
			t.Errorf("DialOptions panicked with %q, which names a code both policies agree on", msg)
		}
	}()
	interceptors.DialOptions(tracing.NewClient(tracing.WithStatusPolicy(relaxed)), logging.NewClient(logrus.New()))
	t.Error("DialOptions accepted signals with different status policies")
}

// One policy, given to every signal, decides span status and log level alike.
func TestOneStatusPolicyDrivesSpanStatusAndLogLevel(t *testing.T) {
	relaxed := mustPolicy(t, interceptors.NotErrorsOnClient(codes.NotFound))
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

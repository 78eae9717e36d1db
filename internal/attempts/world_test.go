package attempts_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	shared "github.com/grpcobs/grpcobs/internal/attempts"
	"github.com/grpcobs/grpcobs/internal/firstlaw"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
)

// retryPolicy is the shared service config (shared.RetryPolicy).
var retryPolicy = shared.RetryPolicy

// world is a demo server traced by the stack, failing attempts as its script says, and a
// client with the whole stack following every attempt, under a service config.
type world struct {
	obs           *firstlaw.Observers
	clientMetrics *metrics.ClientMetrics
	h             *testsrv.Harness
	script        *shared.Script
	tracer        trace.Tracer // of the same provider, for the caller's own spans
}

func startWorld(t *testing.T, serviceConfig string, fail ...codes.Code) *world {
	t.Helper()
	return startWorldWith(t, worldConfig{serviceConfig: serviceConfig, fail: fail})
}

// worldConfig is what a world is made of beyond the defaults.
type worldConfig struct {
	serviceConfig string
	fail          []codes.Code        // the script's codes
	clientTracing []tracing.Option    // added to the client's tracing options
	server        []grpc.ServerOption // added to the server's options
	harness       []testsrv.Option    // added to the harness' options
	holdFirst     bool                // the script holds the first attempt (see shared.Script)
	noAttempts    bool                // the client's tracing has no attempt spans
}

func startWorldWith(t *testing.T, cfg worldConfig) *world {
	t.Helper()
	w := &world{obs: firstlaw.NewObservers(), script: &shared.Script{Codes: cfg.fail}}
	if cfg.holdFirst {
		w.script.Hold, w.script.Entered = make(chan struct{}), make(chan struct{})
	}
	tp := w.obs.TracerProvider(t, sdktrace.AlwaysSample())
	w.tracer = tp.Tracer("test")
	w.clientMetrics = metrics.NewClientMetrics(metrics.WithAttempts())
	w.obs.Registry.MustRegister(w.clientMetrics)
	server := append(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tp))),
		grpc.ChainUnaryInterceptor(seenUnary, w.script.Unary), grpc.ChainStreamInterceptor(seenStream, w.script.Stream))
	server = append(server, cfg.server...)
	tracingOpts := append([]tracing.Option{tracing.WithTracerProvider(tp), tracing.WithAttemptSpans()}, cfg.clientTracing...)
	if cfg.noAttempts {
		tracingOpts = append([]tracing.Option{tracing.WithTracerProvider(tp)}, cfg.clientTracing...)
	}
	client := append(interceptors.DialOptions(
		tracing.NewClient(tracingOpts...),
		w.clientMetrics,
		logging.NewClient(w.obs.ClientLogger),
	), grpc.WithDefaultServiceConfig(cfg.serviceConfig))
	w.h = testsrv.Start(t, append([]testsrv.Option{testsrv.WithServerOptions(server...), testsrv.WithDialOptions(client...)}, cfg.harness...)...)
	return w
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), firstlaw.Timeout)
	t.Cleanup(cancel)
	return ctx
}

// seenPrevious is the attribute the world's server puts on each server span: the
// grpc-previous-rpc-attempts header the attempt came with (0 when absent).
const seenPrevious = attribute.Key("test.seen-grpc-previous-rpc-attempts")

// markSeen puts the grpc-previous-rpc-attempts the server got on the server span of ctx.
func markSeen(ctx context.Context) {
	seen := 0
	if v := metadata.ValueFromIncomingContext(ctx, "grpc-previous-rpc-attempts"); len(v) == 1 {
		seen, _ = strconv.Atoi(v[0])
	}
	trace.SpanFromContext(ctx).SetAttributes(seenPrevious.Int(seen))
}

func seenUnary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	markSeen(ctx)
	return handler(ctx, req)
}

func seenStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	markSeen(ss.Context())
	return handler(srv, ss)
}

// checkSeen asserts that each server span under an attempt span saw, in
// grpc-previous-rpc-attempts, the attempt span's previous-rpc-attempts.
func checkSeen(t *testing.T, server, attempt sdktrace.ReadOnlySpan) {
	t.Helper()
	if server.SpanKind() != trace.SpanKindServer || !strings.HasPrefix(attempt.Name(), "Attempt.") {
		return
	}
	seen, previous := int64(-1), int64(-2)
	for _, kv := range server.Attributes() {
		if kv.Key == seenPrevious {
			seen = kv.Value.AsInt64()
		}
	}
	for _, kv := range attempt.Attributes() {
		if kv.Key == "previous-rpc-attempts" {
			previous = kv.Value.AsInt64()
		}
	}
	if seen != previous {
		t.Errorf("the server saw grpc-previous-rpc-attempts %d; its attempt span says previous-rpc-attempts %d", seen, previous)
	}
}

// spanTree waits until n spans ended (or firstlaw.Timeout passes), and renders them as a
// tree: each span a line "KIND name code [attempt attributes]", its children (in start
// order) indented below it. It also checks that every child lies within its parent's time.
func (w *world) spanTree(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(firstlaw.Timeout)
	for len(w.obs.Spans.Ended()) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(firstlaw.LateDuplicateWait)
	spans := w.obs.Spans.Ended()
	slices.SortStableFunc(spans, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s
	}
	var lines []string
	var render func(parent sdktrace.ReadOnlySpan, depth int)
	render = func(parent sdktrace.ReadOnlySpan, depth int) {
		for _, s := range spans {
			p, ok := byID[s.Parent().SpanID()]
			if (parent == nil && ok) || (parent != nil && (!ok || p != parent)) {
				continue
			}
			if parent != nil && (s.StartTime().Before(parent.StartTime()) || s.EndTime().After(parent.EndTime())) {
				t.Errorf("span %q [%v, %v] is not within its parent %q [%v, %v]", s.Name(), s.StartTime(), s.EndTime(), parent.Name(), parent.StartTime(), parent.EndTime())
			}
			if parent != nil {
				checkSeen(t, s, parent)
			}
			lines = append(lines, strings.Repeat("  ", depth)+describe(s))
			render(s, depth+1)
		}
	}
	render(nil, 0)
	return lines
}

// describe is a span's line in spanTree.
func describe(s sdktrace.ReadOnlySpan) string {
	line := s.SpanKind().String() + " " + s.Name()
	var extra []string
	for _, kv := range s.Attributes() {
		switch kv.Key {
		case "rpc.response.status_code":
			line += " " + kv.Value.AsString()
		case "previous-rpc-attempts", "transparent-retry":
			extra = append(extra, string(kv.Key)+"="+kv.Value.String())
		}
	}
	slices.Sort(extra)
	if len(extra) > 0 {
		line += " " + strings.Join(extra, " ")
	}
	return line
}

// finishedLines returns, for each of the client's finished-call lines in order, the fields
// that speak of the method, the outcome and the attempts.
func (w *world) finishedLines() []logrus.Fields {
	var got []logrus.Fields
	for _, e := range w.obs.ClientLog.AllEntries() {
		if e.Message != "finished call" {
			continue
		}
		f := logrus.Fields{}
		for _, k := range []string{logging.FieldMethod, logging.FieldCode, logging.FieldAttempts, logging.FieldAttemptCodes} {
			if v, ok := e.Data[k]; ok {
				f[k] = v
			}
		}
		got = append(got, f)
	}
	return got
}

package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
)

func TestSlogHandlerPassesSlogtest(t *testing.T) {
	var buf bytes.Buffer
	newHandler := func(*testing.T) slog.Handler {
		buf.Reset()
		return logging.NewSlogHandler(slog.NewJSONHandler(&buf, nil))
	}
	result := func(t *testing.T) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatalf("%v: %s", err, buf.Bytes())
		}
		return m
	}
	slogtest.Run(t, newHandler, result)
}

// TestHandlersLoggingWithSlogInfoContextGetTheCallsFields: a handler that logs with
// slog.InfoContext(ctx, …) through a logger whose handler is a SlogHandler gets the fields of
// the request-scoped logger, on either backend of the call lines; with a span of its own, that
// span's ids; and the call lines, logged through the same logger, carry each field once.
func TestHandlersLoggingWithSlogInfoContextGetTheCallsFields(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			var handlerOut, logrusOut syncBuffer
			logger := slog.New(logging.NewSlogHandler(slogJSONHandler(&handlerOut)))
			var server interceptors.ServerReportable
			if b.name == "slog" {
				server = logging.NewSlogServer(logger) // its lines go to handlerOut too
			} else {
				server = logging.NewServer(logrusJSON(&logrusOut))
			}
			spans := newSpanner(t)
			var inner trace.SpanContext
			hook := func(ctx context.Context, _, message string) (context.Context, func(error)) {
				logging.AddFields(ctx, logrus.Fields{"tenant": "acme"})
				logger.InfoContext(ctx, "handling", "message", message)
				logger.Info("without a context")
				ctx2, span := spans.tracer.Start(ctx, "db.query")
				inner = span.SpanContext()
				logger.InfoContext(ctx2, "querying")
				span.End()
				return ctx, func(error) {}
			}
			h := testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(spans, server)...), withHook(hook))
			if err := callEcho(noDeadline(t), h.Demo(), 0); err != nil {
				t.Fatal(err)
			}
			want := 3
			if b.name == "slog" {
				want = 4
			}
			lines := decodeLines(t, waitLines(t, &handlerOut, want, "handler"))
			var serverSpan trace.SpanContext
			for _, s := range spans.rec.Ended() {
				if s.Name() != "db.query" {
					serverSpan = s.SpanContext()
				}
			}
			call := map[string]any{
				"level": "info", "grpc.component": "server", "grpc.service": demoService, "grpc.method": "Echo",
				"trace_id": serverSpan.TraceID().String(), "span_id": serverSpan.SpanID().String(), "tenant": "acme",
			}
			wantLines := []map[string]any{
				with(call, "msg", "handling", "message", "hi"),
				{"level": "info", "msg": "without a context"},
				with(call, "msg", "querying", "span_id", inner.SpanID().String()),
			}
			if diff := cmp.Diff(wantLines, asMaps(lines[:3])); diff != "" {
				t.Errorf("handler lines (-want +got):\n%s", diff)
			}
			if b.name == "slog" {
				raw := strings.Split(handlerOut.String(), "\n")[3]
				for _, key := range []string{"grpc.method", "trace_id", "span_id", "tenant"} {
					if n := strings.Count(raw, `"`+key+`"`); n != 1 {
						t.Errorf("the call line carries %s %d times, want once: %s", key, n, raw)
					}
				}
			}
		})
	}
}

// TestSlogFromContextOutsideACall: the default logger, with the ids of the context's span.
func TestSlogFromContextOutsideACall(t *testing.T) {
	var out syncBuffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slogJSONHandler(&out)))
	spans := newSpanner(t)
	ctx, span := spans.tracer.Start(context.Background(), "job")
	defer span.End()
	logging.SlogFromContext(ctx).Info("in a span")
	//lint:ignore SA1012 SlogFromContext documents that a nil context is accepted.
	logging.SlogFromContext(nil).Info("no context")
	got := asMaps(decodeLines(t, out.String()))
	want := []map[string]any{
		{"level": "info", "msg": "in a span", "trace_id": span.SpanContext().TraceID().String(), "span_id": span.SpanContext().SpanID().String()},
		{"level": "info", "msg": "no context"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func asMaps(lines []jsonLine) []map[string]any {
	out := make([]map[string]any, len(lines))
	for i, l := range lines {
		out[i] = l
	}
	return out
}

// TestSlogLoggersAttributesGroupsAndLevel: a logger's With attributes are on every line, its
// WithGroup nests the line's fields (their dotted names kept), its handler's level drops a
// line before any filter runs, and a nil logger is slog.Default().
func TestSlogLoggersAttributesGroupsAndLevel(t *testing.T) {
	var out syncBuffer
	var filtered int
	count := func(filter.Call) bool { filtered++; return true }
	warnOnly := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{
		Level:       slog.LevelWarn,
		ReplaceAttr: stableAttrs,
	})).With("instance", "a").WithGroup("rpc")
	h := testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(logging.NewSlogServer(warnOnly, logging.WithFilter(count)))...))
	if err := callEcho(noDeadline(t), h.Demo(), 0); err != nil {
		t.Fatal(err)
	}
	_ = callEcho(noDeadline(t), h.Demo(), int32(codes.NotFound))
	lines := decodeLines(t, waitLines(t, &out, 1, "server"))
	if group, ok := lines[0]["rpc"].(map[string]any); ok {
		if _, ok := group[logging.FieldTimeMS].(float64); !ok {
			t.Errorf("grpc.time_ms in the group is %v, want a number", group[logging.FieldTimeMS])
		}
		delete(group, logging.FieldTimeMS) // differs on every run
	}
	want := map[string]any{
		"level": "warning", "msg": "finished call", "instance": "a",
		"rpc": map[string]any{
			"grpc.component": "server", "grpc.service": demoService, "grpc.method": "Echo", "grpc.method_type": "unary",
			"peer.address": "bufconn", "grpc.code": "NotFound",
			"error": "rpc error: code = NotFound desc = failure requested with fail_code 5",
		},
	}
	if diff := cmp.Diff(want, map[string]any(lines[0])); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if filtered != 1 {
		t.Errorf("the filter ran %d times, want once: the OK line is below the handler's level", filtered)
	}

	// A With attribute named like a call field is written next to it, not replaced.
	var clashOut syncBuffer
	clash := slog.New(slog.NewJSONHandler(&clashOut, nil)).With(logging.FieldMethod, "mine")
	h = testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(logging.NewSlogServer(clash))...))
	if err := callEcho(noDeadline(t), h.Demo(), 0); err != nil {
		t.Fatal(err)
	}
	if raw := waitLines(t, &clashOut, 1, "clash"); !strings.Contains(raw, `"grpc.method":"mine"`) || !strings.Contains(raw, `"grpc.method":"Echo"`) {
		t.Errorf("want grpc.method twice, the logger's and the call's: %s", raw)
	}

	var defaultOut syncBuffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewJSONHandler(&defaultOut, &slog.HandlerOptions{ReplaceAttr: stableAttrs})))
	h = testsrv.Start(t, testsrv.WithServerOptions(interceptors.ServerOptions(logging.NewSlogServer(nil))...))
	if err := callEcho(noDeadline(t), h.Demo(), 0); err != nil {
		t.Fatal(err)
	}
	wantFields(t, "server", decodeLines(t, waitLines(t, &defaultOut, 1, "default"))[0], map[string]any{"grpc.code": "OK"})
}

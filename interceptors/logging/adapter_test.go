package logging_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	mwlogging "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"github.com/sirupsen/logrus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// startWithMiddlewareLogging serves the demo with go-grpc-middleware's logging interceptors
// writing through InterceptorLogger, after the spanner.
func startWithMiddlewareLogging(t *testing.T, logger logrus.FieldLogger, opts ...mwlogging.Option) (*testsrv.Harness, *spanner) {
	t.Helper()
	spans := newSpanner(t)
	adapter := logging.InterceptorLogger(logger)
	h := testsrv.Start(t, testsrv.WithServerOptions(append(interceptors.ServerOptions(spans),
		grpc.ChainUnaryInterceptor(mwlogging.UnaryServerInterceptor(adapter, opts...)),
		grpc.ChainStreamInterceptor(mwlogging.StreamServerInterceptor(adapter, opts...)),
	)...))
	return h, spans
}

func TestInterceptorLoggerPassesTheContextAndTraceIDs(t *testing.T) {
	for _, kind := range callKinds {
		t.Run(kind.name, func(t *testing.T) {
			log := newLogbook()
			h, spans := startWithMiddlewareLogging(t, log.Logger, mwlogging.WithLogOnEvents(mwlogging.FinishCall))
			if err := kind.call(noDeadline(t), h.Demo(), 0); err != nil {
				t.Fatalf("call: %v", err)
			}
			entry := log.wait(t, 1)[0]
			span := spans.only(t)
			if got := trace.SpanContextFromContext(entry.Context); !got.Equal(span.SpanContext()) {
				t.Errorf("hooks see span %v, want the server span %v", got, span.SpanContext())
			}
			// grpc.start_time and grpc.time_ms are go-grpc-middleware's, formatted as strings.
			for _, key := range []string{"grpc.start_time", "grpc.time_ms"} {
				if _, ok := entry.Data[key].(string); !ok {
					t.Errorf("%s = %#v, want a string", key, entry.Data[key])
				}
				delete(entry.Data, key)
			}
			checkEntry(t, entry, logrus.InfoLevel, "finished call", map[string]any{
				"protocol":         "grpc",
				"grpc.component":   "server",
				"grpc.service":     demoService,
				"grpc.method":      kind.method,
				"grpc.method_type": kind.typ,
				"grpc.code":        "OK",
				"peer.address":     "bufconn",
				"trace_id":         span.SpanContext().TraceID().String(),
				"span_id":          span.SpanContext().SpanID().String(),
			})
		})
	}
}

func TestInterceptorLoggerRendersPayloadsAsProtoJSON(t *testing.T) {
	log := newLogbook()
	h, _ := startWithMiddlewareLogging(t, log.Logger, mwlogging.WithLogOnEvents(mwlogging.PayloadReceived))
	if _, err := h.Demo().Echo(noDeadline(t), echoRequest("hi")); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	entry := log.wait(t, 1)[0]
	got := plain(t, entry.Data)["grpc.request.content"]
	if diff := cmp.Diff(map[string]any{"message": "hi"}, got); diff != "" {
		t.Errorf("grpc.request.content (-want +got):\n%s", diff)
	}
}

func TestInterceptorLoggerMapsLevelsAndFields(t *testing.T) {
	log := newLogbook()
	base := log.WithField("app", "demo")
	adapter := logging.InterceptorLogger(base)
	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx, span := tp.Tracer("t").Start(context.Background(), "s")
	defer span.End()

	for _, lvl := range []mwlogging.Level{
		mwlogging.LevelDebug - 4, mwlogging.LevelDebug, mwlogging.LevelInfo, mwlogging.LevelWarn, mwlogging.LevelError, mwlogging.LevelError + 4,
	} {
		adapter.Log(ctx, lvl, "m")
	}
	adapter.Log(ctx, mwlogging.LevelInfo, "fields", "k", 1, 42, "non-string key", "trace_id", "kept", "odd")
	entries := log.wait(t, 7)
	want := []logrus.Level{logrus.TraceLevel, logrus.DebugLevel, logrus.InfoLevel, logrus.WarnLevel, logrus.ErrorLevel, logrus.ErrorLevel}
	for i, l := range want {
		if entries[i].Level != l {
			t.Errorf("line %d at %v, want %v", i, entries[i].Level, l)
		}
	}
	checkEntry(t, entries[6], logrus.InfoLevel, "fields", map[string]any{
		"app":      "demo",
		"k":        1,
		"42":       "non-string key",
		"trace_id": "kept",
		"span_id":  span.SpanContext().SpanID().String(),
		"odd":      "",
	})
}

func TestInterceptorLoggerWithoutALoggerUsesTheStandardLogger(t *testing.T) {
	std := logrus.StandardLogger()
	log := newLogbook()
	oldHooks := std.ReplaceHooks(logrus.LevelHooks{})
	oldOut := std.Out
	std.SetOutput(io.Discard)
	std.AddHook(log)
	t.Cleanup(func() {
		std.ReplaceHooks(oldHooks)
		std.SetOutput(oldOut)
	})
	var nilLogger *logrus.Logger
	var nilEntry *logrus.Entry
	for _, l := range []logrus.FieldLogger{nil, nilLogger, nilEntry} {
		logging.InterceptorLogger(l).Log(context.Background(), mwlogging.LevelWarn, "to the standard logger")
	}
	if got := len(log.wait(t, 3)); got != 3 {
		t.Errorf("the standard logger got %d lines, want 3", got)
	}
	// NewServer and NewClient fall back to it too.
	rep, _ := logging.NewClient(nil, nil).ClientReporter(context.Background(), interceptors.CallMeta{Service: "s.S", Method: "M", Typ: interceptors.Unary, IsClient: true})
	rep.PostCall(nil, time.Millisecond)
	if e := log.wait(t, 4)[3]; e.Data["grpc.component"] != "client" || e.Data["grpc.time_ms"] != 1.0 {
		t.Errorf("NewClient(nil) logged %v, want the client line on the standard logger", e.Data)
	}
}

func TestNilServerAndClientLogNothing(t *testing.T) {
	var (
		s *logging.Server
		c *logging.Client
	)
	ctx := context.Background()
	meta := interceptors.CallMeta{Service: "s.S", Method: "M", Typ: interceptors.Unary}
	for _, start := range []func() (interceptors.Reporter, context.Context){
		func() (interceptors.Reporter, context.Context) { return s.ServerReporter(ctx, meta) },
		func() (interceptors.Reporter, context.Context) { return c.ClientReporter(ctx, meta) },
	} {
		rep, got := start()
		if rep == nil || got != ctx {
			t.Fatalf("reporter %v with context %v, want a no-op reporter and the same context", rep, got)
		}
		rep.PostMsgReceive(nil, nil, 0)
		rep.PostMsgSend(nil, nil, 0)
		rep.PostCall(nil, 0)
	}
}

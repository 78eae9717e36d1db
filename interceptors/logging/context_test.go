package logging_test

import (
	"context"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// withHook serves the demo service with a hook that runs inside every handler.
func withHook(hook demo.Hook) testsrv.Option {
	return testsrv.WithRegister(func(s *grpc.Server) {
		demov1.RegisterDemoServiceServer(s, demo.NewService(demo.WithHook(hook)))
	})
}

func TestHandlersLogThroughARequestScopedLoggerThatCorrelates(t *testing.T) {
	for _, kind := range callKinds {
		t.Run(kind.name, func(t *testing.T) {
			var entries [2]*logrus.Entry
			hook := func(ctx context.Context, method, message string) (context.Context, func(error)) {
				entries[0], entries[1] = logging.FromContext(ctx), logging.FromContext(ctx)
				entries[0].WithField("message", message).Info("handling")
				return ctx, func(error) {}
			}
			r := startRig(t, rigConfig{harness: []testsrv.Option{withHook(hook)}})
			if err := kind.call(noDeadline(t), r.Demo(), 0); err != nil {
				t.Fatalf("call: %v", err)
			}
			span := r.serverSpans.only(t)
			logged := r.serverLog.all()
			if len(logged) < 2 {
				t.Fatalf("got %d lines, want the handler's and the call's:\n%s", len(logged), describe(logged))
			}
			checkEntry(t, logged[0], logrus.InfoLevel, "handling", map[string]any{
				"grpc.component": "server",
				"grpc.service":   demoService,
				"grpc.method":    kind.method,
				"trace_id":       span.SpanContext().TraceID().String(),
				"span_id":        span.SpanContext().SpanID().String(),
				"message":        kind.first,
			})
			finish := logged[len(logged)-1]
			for _, key := range []string{"trace_id", "span_id", "grpc.method"} {
				if logged[0].Data[key] != finish.Data[key] {
					t.Errorf("handler line %s = %v, call line %s = %v", key, logged[0].Data[key], key, finish.Data[key])
				}
			}
			if got := trace.SpanContextFromContext(logged[0].Context); !got.Equal(span.SpanContext()) {
				t.Errorf("hooks see span %v in the handler line's context, want the server span %v", got, span.SpanContext())
			}
			if entries[0] != entries[1] {
				t.Error("FromContext built a second entry for the same call; it must build it once")
			}
		})
	}
}

func TestFromContextCarriesASpanStartedInTheHandler(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	var child trace.SpanContext
	hook := func(ctx context.Context, _, _ string) (context.Context, func(error)) {
		ctx, span := tp.Tracer("handler").Start(ctx, "db.query")
		defer span.End()
		child = span.SpanContext()
		logging.FromContext(ctx).Info("querying")
		return ctx, func(error) {}
	}
	r := startRig(t, rigConfig{harness: []testsrv.Option{withHook(hook)}})
	if err := callEcho(noDeadline(t), r.Demo(), 0); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	entries := r.serverLog.wait(t, 2)
	callSpan := r.serverSpans.only(t).SpanContext()
	if got, want := entries[0].Data["span_id"], child.SpanID().String(); got != want {
		t.Errorf("handler line span_id = %v, want the child span's %v", got, want)
	}
	if got, want := entries[0].Data["trace_id"], callSpan.TraceID().String(); got != want {
		t.Errorf("handler line trace_id = %v, want the call's %v", got, want)
	}
	if got := trace.SpanContextFromContext(entries[0].Context); !got.Equal(child) {
		t.Errorf("hooks see span %v, want the child span %v", got, child)
	}
	if got, want := entries[1].Data["span_id"], callSpan.SpanID().String(); got != want {
		t.Errorf("call line span_id = %v, want the server span's %v", got, want)
	}
}

func TestAddFieldsReachTheCallLineButDoNotReplaceItsOwn(t *testing.T) {
	hook := func(ctx context.Context, _, _ string) (context.Context, func(error)) {
		logging.FromContext(ctx).Info("before")
		logging.AddFields(ctx, logrus.Fields{"user": "alice", "grpc.method": "Forged", "trace_id": "forged"})
		logging.AddFields(ctx, logrus.Fields{"tenant": "acme"})
		logging.AddFields(ctx, nil)
		logging.FromContext(ctx).Info("after")
		return ctx, func(error) {}
	}
	r := startRig(t, rigConfig{harness: []testsrv.Option{withHook(hook)}})
	if err := callEcho(noDeadline(t), r.Demo(), 0); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	entries := r.serverLog.wait(t, 3)
	span := r.serverSpans.only(t)
	if _, ok := entries[0].Data["user"]; ok {
		t.Errorf("a line logged before AddFields has its field: %v", entries[0].Data)
	}
	for _, e := range entries[1:] {
		if e.Data["user"] != "alice" || e.Data["tenant"] != "acme" {
			t.Errorf("%q line lacks the added fields: %v", e.Message, e.Data)
		}
		if e.Data["grpc.method"] != "Echo" || e.Data["trace_id"] != span.SpanContext().TraceID().String() {
			t.Errorf("%q line had its own fields replaced: %v", e.Message, e.Data)
		}
	}
}

func TestFromContextOutsideACallUsesTheStandardLogger(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx, span := tp.Tracer("t").Start(context.Background(), "outside")
	defer span.End()

	entry := logging.FromContext(ctx)
	if entry.Logger != logrus.StandardLogger() {
		t.Error("FromContext outside a call: not the standard logger")
	}
	if entry.Context != ctx {
		t.Error("FromContext outside a call: the entry does not carry ctx")
	}
	want := logrus.Fields{"trace_id": span.SpanContext().TraceID().String(), "span_id": span.SpanContext().SpanID().String()}
	if len(entry.Data) != 2 || entry.Data["trace_id"] != want["trace_id"] || entry.Data["span_id"] != want["span_id"] {
		t.Errorf("FromContext outside a call: fields %v, want %v", entry.Data, want)
	}

	//lint:ignore SA1012 FromContext documents that a nil context is accepted.
	bare := logging.FromContext(nil)
	if bare == nil || bare.Logger != logrus.StandardLogger() || len(bare.Data) != 0 {
		t.Errorf("FromContext(nil) = %+v, want a bare entry of the standard logger", bare)
	}
	logging.AddFields(context.Background(), logrus.Fields{"ignored": true}) // no call: nothing to do, no panic
}

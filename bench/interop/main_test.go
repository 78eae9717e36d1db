// Package interop checks that grpcobs tracing interoperates with otelgrpc, the OpenTelemetry
// gRPC instrumentation, in both directions, and that its spans look like otelgrpc's to users
// who migrate; that grpcobs' OpenTelemetry metrics match otelgrpc's (semconv) and grpc-go's
// stats/opentelemetry plugin's (gRFC A66); and it compares grpcobs' attempt spans with
// grpc-go's experimental gRFC A72 tracing. It is a test-only package of the bench module, so
// that the grpcobs library itself never depends on its anchors.
package interop

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const echoMethod = "grpcobs.demo.v1.DemoService/Echo"

// w3c is the propagator grpcobs uses by default; otelgrpc uses the global one, which is a
// no-op until set, so the tests give it this one explicitly.
var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

type traces struct {
	*sdktrace.TracerProvider
	rec *tracetest.SpanRecorder
}

func newTraces(t testing.TB) *traces {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return &traces{TracerProvider: tp, rec: rec}
}

// ended waits until want spans ended (otelgrpc ends a client span when the stats handler sees
// the end of the call, which may come just after the caller got its answer).
func (tr *traces) ended(t testing.TB, want int) []sdktrace.ReadOnlySpan {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		spans := tr.rec.Ended()
		if len(spans) == want {
			return spans
		}
		if len(spans) > want || time.Now().After(deadline) {
			t.Fatalf("%d spans ended, want %d", len(spans), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func only(t testing.TB, spans []sdktrace.ReadOnlySpan, kind trace.SpanKind) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.SpanKind() == kind {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %v spans, want 1", len(found), kind)
	}
	return found[0]
}

func attrs(kvs []attribute.KeyValue) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Silence otel's global error handler: nothing here should report, and nothing must log.
func init() { otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {})) }

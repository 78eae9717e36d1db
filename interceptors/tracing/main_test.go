package tracing_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
)

func TestMain(m *testing.M) {
	// otel reports bad incoming baggage to its global error handler, which logs; the hostile
	// metadata tests send plenty of it on purpose.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {}))
	goleak.VerifyTestMain(m)
}

const (
	echoMethod         = "grpcobs.demo.v1.DemoService/Echo"
	serverStreamMethod = "grpcobs.demo.v1.DemoService/ServerStream"
	clientStreamMethod = "grpcobs.demo.v1.DemoService/ClientStream"
	chatMethod         = "grpcobs.demo.v1.DemoService/Chat"
)

// traces is a tracer provider that samples every span and records the ended ones.
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

// ended returns the ended spans, waiting until there are want of them (spans of abandoned
// streams end on another goroutine). It fails the test if more than want ended.
func (tr *traces) ended(t testing.TB, want int) []sdktrace.ReadOnlySpan {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		spans := tr.rec.Ended()
		if len(spans) == want {
			return spans
		}
		if len(spans) > want {
			t.Fatalf("%d spans ended, want %d: %v", len(spans), want, spanNames(spans))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d spans ended after 10s, want %d: %v", len(spans), want, spanNames(spans))
		}
		time.Sleep(time.Millisecond)
	}
}

// root starts an application span, the parent of the calls a test makes under it.
func (tr *traces) root(ctx context.Context) (context.Context, trace.Span) {
	return tr.Tracer("test").Start(ctx, "root")
}

func spanNames(spans []sdktrace.ReadOnlySpan) []string {
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.SpanKind().String() + " " + s.Name()
	}
	return names
}

// only returns the one span of the given kind and name.
func only(t testing.TB, spans []sdktrace.ReadOnlySpan, kind trace.SpanKind, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.SpanKind() == kind && s.Name() == name {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d spans %v %q, want 1; spans: %v", len(found), kind, name, spanNames(spans))
	}
	return found[0]
}

// attrs returns a span's attributes as a map of their values' string forms.
func attrs(kvs []attribute.KeyValue) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

// startTraced starts the demo service with tracing on the server and a client with tracing,
// both reporting to tr, plus whatever else opts add.
func startTraced(t testing.TB, tr *traces, serverOpts, clientOpts []tracing.Option, opts ...testsrv.Option) *testsrv.Harness {
	t.Helper()
	server := tracing.NewServer(append([]tracing.Option{tracing.WithTracerProvider(tr)}, serverOpts...)...)
	client := tracing.NewClient(append([]tracing.Option{tracing.WithTracerProvider(tr)}, clientOpts...)...)
	return testsrv.Start(t, append([]testsrv.Option{
		testsrv.WithServerOptions(interceptors.ServerOptions(server)...),
		testsrv.WithDialOptions(interceptors.DialOptions(client)...),
	}, opts...)...)
}

// withHook registers the demo service with a hook.
func withHook(h demo.Hook) testsrv.Option {
	return testsrv.WithRegister(func(s *grpc.Server) {
		demov1.RegisterDemoServiceServer(s, demo.NewService(demo.WithHook(h)))
	})
}

// handlerView is what handlers saw of their context.
type handlerView struct {
	mu    sync.Mutex
	calls []handlerCall
}

type handlerCall struct {
	span    trace.SpanContext
	baggage map[string]string
}

// hook records each handler's span context and baggage.
func (v *handlerView) hook(ctx context.Context, _, _ string) (context.Context, func(error)) {
	c := handlerCall{span: trace.SpanContextFromContext(ctx), baggage: baggageMap(baggage.FromContext(ctx))}
	v.mu.Lock()
	v.calls = append(v.calls, c)
	v.mu.Unlock()
	return ctx, func(error) {}
}

func (v *handlerView) last(t testing.TB) handlerCall {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.calls) == 0 {
		t.Fatal("no handler ran")
	}
	return v.calls[len(v.calls)-1]
}

func baggageMap(b baggage.Baggage) map[string]string {
	m := make(map[string]string, b.Len())
	for _, member := range b.Members() {
		m[member.Key()] = member.Value()
	}
	return m
}

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// withUnboundedBaggage adds members one by one with SetMember, which, unlike baggage.New and
// baggage.Parse, keeps no W3C limit: the way application code can build oversized baggage.
func withUnboundedBaggage(t testing.TB, ctx context.Context, kv ...string) context.Context {
	t.Helper()
	b := baggage.FromContext(ctx)
	for i := 0; i < len(kv); i += 2 {
		m, err := baggage.NewMemberRaw(kv[i], kv[i+1])
		if err != nil {
			t.Fatalf("baggage member %q: %v", kv[i], err)
		}
		if b, err = b.SetMember(m); err != nil {
			t.Fatalf("SetMember %q: %v", kv[i], err)
		}
	}
	return baggage.ContextWithBaggage(ctx, b)
}

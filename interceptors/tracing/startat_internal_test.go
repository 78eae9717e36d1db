package tracing

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
	"go.opentelemetry.io/otel/trace/noop"
)

// configTracer records the configuration of each span it is asked to start.
type configTracer struct {
	embedded.Tracer
	configs []trace.SpanConfig
}

// configProvider hands out its configTracer.
type configProvider struct {
	embedded.TracerProvider
	tracer *configTracer
}

func (p configProvider) Tracer(string, ...trace.TracerOption) trace.Tracer { return p.tracer }

func (t *configTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	t.configs = append(t.configs, trace.NewSpanStartConfig(opts...))
	return noop.NewTracerProvider().Tracer("").Start(ctx, name)
}

// TestStartAtGivesTheMethodsOptionsAndTheStartTime: each span is started with its method's
// options and its own start time, whatever the recycled option slices held before.
func TestStartAtGivesTheMethodsOptionsAndTheStartTime(t *testing.T) {
	tracer := &configTracer{}
	source := newTracerSource(configProvider{tracer: tracer})
	methods := [][]trace.SpanStartOption{
		{trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attribute.String("rpc.method", "A"), attribute.String("rpc.service", "s.v1.S"))},
		{trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attribute.String("rpc.method", "B"))},
		{trace.WithSpanKind(trace.SpanKindInternal)},
	}
	base := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		opts := methods[i%len(methods)]
		source.startAt(context.Background(), "m", opts, base.Add(time.Duration(i)))
		got, want := tracer.configs[i], trace.NewSpanStartConfig(append(append([]trace.SpanStartOption(nil), opts...), trace.WithTimestamp(base.Add(time.Duration(i))))...)
		if !got.Timestamp().Equal(want.Timestamp()) || got.SpanKind() != want.SpanKind() ||
			!cmp.Equal(got.Attributes(), want.Attributes(), cmp.Comparer(func(a, b attribute.KeyValue) bool { return a == b })) {
			t.Fatalf("span %d started with kind %v, attributes %v, time %v; want %v, %v, %v", i,
				got.SpanKind(), got.Attributes(), got.Timestamp(), want.SpanKind(), want.Attributes(), want.Timestamp())
		}
	}
	// A zero start time lets the tracer take its own.
	source.startAt(context.Background(), "m", methods[0], time.Time{})
	if got := tracer.configs[len(tracer.configs)-1].Timestamp(); !got.IsZero() {
		t.Errorf("a zero start time gave the span the time %v", got)
	}
}

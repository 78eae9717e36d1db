package health_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/grpcobs/grpcobs/health"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// spanSummary is what a test asserts about a span.
type spanSummary struct {
	Name        string
	Kind        trace.SpanKind
	Attributes  []attribute.KeyValue
	Status      codes.Code
	Description string
	Events      []string
	Duration    time.Duration
}

func summarize(s sdktrace.ReadOnlySpan) spanSummary {
	var events []string
	for _, e := range s.Events() {
		for _, a := range e.Attributes {
			if a.Key == "exception.message" {
				events = append(events, e.Name+": "+a.Value.AsString())
			}
		}
	}
	return spanSummary{
		Name: s.Name(), Kind: s.SpanKind(), Attributes: s.Attributes(),
		Status: s.Status().Code, Description: s.Status().Description,
		Events: events, Duration: s.EndTime().Sub(s.StartTime()),
	}
}

func TestEachRunIsASpanWhenATracerProviderIsGiven(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
		r, _ := newRegistry(t, health.WithTracerProvider(tp), health.WithTracerProvider(nil))

		db := &dependency{}
		ping := health.CheckFunc(func(ctx context.Context) error {
			// What the checker calls nests under the run's span.
			_, span := trace.SpanFromContext(ctx).TracerProvider().Tracer("driver").Start(ctx, "db.ping")
			time.Sleep(20 * time.Millisecond)
			span.End()
			return db.Check(ctx)
		})
		if err := r.Register("db", ping, health.Every(time.Second), health.NonCritical()); err != nil {
			t.Fatalf("Register: %v", err)
		}
		// A span in Start's context is not the parent of the runs: they belong to no request.
		startCtx, startSpan := tp.Tracer("main").Start(t.Context(), "startup")
		r.Start(startCtx)
		startSpan.End()
		advance(100 * time.Millisecond) // the first run took 20ms
		db.set(errDown)
		advance(time.Second)
		r.Stop()

		var runs, children []sdktrace.ReadOnlySpan
		for _, s := range rec.Ended() {
			switch s.Name() {
			case "health.check":
				runs = append(runs, s)
			case "db.ping":
				children = append(children, s)
			}
		}
		attrs := []attribute.KeyValue{attribute.String("health.check.name", "db"), attribute.Bool("health.check.critical", false)}
		want := []spanSummary{
			{Name: "health.check", Kind: trace.SpanKindInternal, Attributes: attrs, Status: codes.Unset, Duration: 20 * time.Millisecond},
			{
				Name: "health.check", Kind: trace.SpanKindInternal, Attributes: attrs, Status: codes.Error,
				Description: "dependency down", Events: []string{"exception: dependency down"}, Duration: 20 * time.Millisecond,
			},
		}
		var got []spanSummary
		for _, s := range runs {
			got = append(got, summarize(s))
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateComparable(attribute.Value{})); diff != "" {
			t.Fatalf("run spans (-want +got):\n%s", diff)
		}
		for i, run := range runs {
			if run.Parent().IsValid() {
				t.Errorf("run %d has parent %v, want a root span", i, run.Parent().SpanID())
			}
			if run.SpanContext().TraceID() == startSpan.SpanContext().TraceID() {
				t.Errorf("run %d belongs to the trace of Start's context", i)
			}
			if len(children) != len(runs) || children[i].Parent().SpanID() != run.SpanContext().SpanID() {
				t.Errorf("run %d: the checker's own span is not its child", i)
			}
		}
	})
}

func TestNoSpansByDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRegistry(t)
		var sawRecording bool
		check := health.CheckFunc(func(ctx context.Context) error {
			sawRecording = trace.SpanFromContext(ctx).IsRecording()
			return nil
		})
		if err := r.Register("db", check); err != nil {
			t.Fatalf("Register: %v", err)
		}
		r.Start(t.Context())
		synctest.Wait()
		r.Stop()
		if sawRecording {
			t.Errorf("the checker's context carries a recording span with no tracer provider given")
		}
	})
}

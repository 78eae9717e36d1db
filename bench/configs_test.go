package bench

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// signalsWanted is what one call of each kind must leave behind in a configuration: spans
// exported (-1: any number, the configuration samples), handled calls counted on each side,
// lines logged in all, and whether server lines carry the trace id.
type signalsWanted struct {
	spans         int64
	handled       float64
	lines         int
	serverTraceID bool
}

// Three calls, two sides: six spans, six lines. Production logs the first success on each
// side (then one in a hundred).
var wantedByConfig = map[string]signalsWanted{
	Bare:                    {},
	"grpcobs-tracing":       {spans: 6},
	"grpcobs-metrics":       {handled: 3},
	"grpcobs-logging":       {lines: 6},
	"grpcobs-full":          {spans: 6, handled: 3, lines: 6, serverTraceID: true},
	"grpcobs-production":    {spans: -1, handled: 3, lines: 2},
	"handrolled-full":       {spans: 6, handled: 3, lines: 6, serverTraceID: true},
	"handrolled-production": {spans: -1, handled: 3, lines: 2},
	"anchor-tracing":        {spans: 6},
	"anchor-metrics":        {handled: 3},
	"anchor-logging":        {lines: 6},
	"grpcobs-logging-slog":  {lines: 6},
	"grpcobs-full-slog":     {spans: 6, handled: 3, lines: 6, serverTraceID: true},
	"anchor-logging-slog":   {lines: 6},
	"anchor-full":           {spans: 6, handled: 3, lines: 6, serverTraceID: true},
	// The OpenTelemetry metrics and status page configurations are checked by tests of
	// their own (TestOtelMetricsConfigsRecordEveryCall, TestStatusPageSignal); here, that they
	// serve every call kind.
	"grpcobs-otelmetrics":     {},
	"anchor-otelmetrics":      {},
	"anchor-grpcmetrics":      {},
	"grpcobs-statuspage":      {},
	"grpcobs-full-statuspage": {spans: 6, handled: 3, lines: 6, serverTraceID: true},
	// Each client call has one attempt span too: 3 calls, 9 spans.
	"grpcobs-full-attempts": {spans: 9, handled: 3, lines: 6, serverTraceID: true},
	// Attempts counted, with no span of their own.
	"grpcobs-full-attempt-counts": {spans: 6, handled: 3, lines: 6, serverTraceID: true},
}

// TestConfigsProduceTheirSignals checks that every configuration serves every call kind and
// really traces, counts and logs what its name says: a benchmark of a stack that silently
// does nothing would measure nothing.
func TestConfigsProduceTheirSignals(t *testing.T) {
	for _, cfg := range Configs() {
		t.Run(cfg.Name, func(t *testing.T) {
			want, ok := wantedByConfig[cfg.Name]
			if !ok {
				t.Fatalf("no expectations for configuration %q", cfg.Name)
			}
			stack, client := serve(t, cfg, nil)
			var logged lockedBuffer
			stack.SetLogOutput(&logged)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for _, kind := range callKinds {
				if err := kind.call(ctx, client); err != nil {
					t.Fatalf("%s call: %v", kind.name, err)
				}
			}

			if want.spans >= 0 {
				if got := exportedSpans(ctx, t, stack, want.spans); got != want.spans {
					t.Errorf("%d spans exported, want %d", got, want.spans)
				}
			}
			for _, side := range []string{"server", "client"} {
				if got := handledCalls(t, stack.Registry, side); got != want.handled {
					t.Errorf("grpc_%s_handled_total = %v, want %v", side, got, want.handled)
				}
			}
			lines := logged.lines()
			if len(lines) != want.lines {
				t.Errorf("%d lines logged, want %d:\n%s", len(lines), want.lines, strings.Join(lines, "\n"))
			}
			if want.serverTraceID && !anyLine(lines, `"server"`, `"trace_id":"`) {
				t.Errorf("no server line carries a trace_id:\n%s", strings.Join(lines, "\n"))
			}
		})
	}
}

// exportedSpans flushes until want spans were exported, or a while has passed: a server span
// may end just after the client got its answer.
func exportedSpans(ctx context.Context, t *testing.T, stack *Stack, want int64) int64 {
	t.Helper()
	for {
		if err := stack.Flush(ctx); err != nil {
			t.Fatalf("flushing spans: %v", err)
		}
		got := stack.ExportedSpans()
		if got >= want || ctx.Err() != nil {
			return got
		}
		time.Sleep(time.Millisecond)
	}
}

// handledCalls sums grpc_<side>_handled_total over its series; 0 without a registry.
func handledCalls(t *testing.T, reg *prometheus.Registry, side string) float64 {
	t.Helper()
	if reg == nil {
		return 0
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	var sum float64
	for _, family := range families {
		if family.GetName() == "grpc_"+side+"_handled_total" {
			for _, m := range family.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// anyLine reports whether a line contains all of parts.
func anyLine(lines []string, parts ...string) bool {
	for _, line := range lines {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}

// lockedBuffer is a log output both sides may write to at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	text := strings.TrimSpace(b.buf.String())
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

func TestOrderedKeepsEveryConfigurationOnce(t *testing.T) {
	configs := Configs()
	names := func(cs []Config) []string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = c.Name
		}
		return out
	}
	if got := names(ordered(configs, 0)); !slices.Equal(got, names(configs)) {
		t.Errorf("ordered(0) = %v, want Configs() order", got)
	}
	predecessorsOfBare := map[string]bool{}
	for seed := 1; seed <= 20; seed++ {
		got := names(ordered(configs, seed))
		if !slices.Equal(got, names(ordered(configs, seed))) {
			t.Fatalf("ordered(%d) differs between calls", seed)
		}
		sorted, want := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(names(configs)))
		if !slices.Equal(sorted, want) {
			t.Fatalf("ordered(%d) = %v, not a permutation of Configs()", seed, got)
		}
		if i := slices.Index(got, Bare); i > 0 {
			predecessorsOfBare[got[i-1]] = true
		}
	}
	if len(predecessorsOfBare) < 4 {
		t.Errorf("over 20 seeds bare followed only %v: the orders hardly vary", predecessorsOfBare)
	}
	if configs[0].Name != Bare {
		t.Errorf("Configs()[0] = %s, want %s: ordering must not change Configs itself", configs[0].Name, Bare)
	}
}

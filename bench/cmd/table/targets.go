package main

import (
	"fmt"
	"io"

	"github.com/grpcobs/grpcobs/bench/internal/results"
)

// The targets, all on bufconn, as ratios to bare in the same run.
const (
	targetTransport    = "bufconn"
	fullMaxRatio       = 1.5
	fullMaxExtraAllocs = 100
	streamMaxRatio     = 1.3
	productionMaxRatio = 1.1
	fullConfig         = "grpcobs-full"
	productionConfig   = "grpcobs-production"
	// The same two stacks written plainly by hand with the same building blocks
	// (bench/handrolled.go), for comparison: a target they miss too is not missed for want of
	// care in grpcobs' own code.
	handrolledFullConfig       = "handrolled-full"
	handrolledProductionConfig = "handrolled-production"
	grpcobsSignalPrefix        = "grpcobs-"
	anchorSignalPrefix         = "anchor-"
	// OpenTelemetry metrics: grpcobs' signal against both anchors that define its two modes.
	otelMetricsConfig       = "grpcobs-otelmetrics"
	otelMetricsAnchorConfig = "anchor-otelmetrics"
	grpcMetricsAnchorConfig = "anchor-grpcmetrics"
	// The status page alone, and the full stack with it.
	statusPageConfig     = "grpcobs-statuspage"
	fullStatusPageConfig = "grpcobs-full-statuspage"
	statusPageMaxRatio   = 1.05
)

// target is one line of the targets table.
type target struct {
	what     string
	want     string
	got      string
	byHand   string // the hand-rolled stack's figure, or "" when there is none
	met      bool
	measured bool
}

// writeTargets writes the targets table: what was wanted, what was measured, met or missed.
func writeTargets(w io.Writer, set *results.Set) {
	fmt.Fprintf(w, "**Targets** (%s, ratios to bare in the same run)\n\n", targetTransport)
	fmt.Fprintln(w, "| target | wanted | measured | | same building blocks by hand |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	for _, t := range targets(set) {
		verdict := "missed"
		switch {
		case !t.measured:
			verdict, t.got = "not measured", "–"
		case t.met:
			verdict = "met"
		}
		if t.byHand == "" {
			t.byHand = "–"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", t.what, t.want, t.got, verdict, t.byHand)
	}
	fmt.Fprintln(w)
}

func targets(set *results.Set) []target {
	unary := func(config string) results.Key {
		return results.Key{Benchmark: "Unary", Transport: targetTransport, Config: config}
	}
	// byHand is the hand-rolled configuration's ratio (or extra allocs) for key's benchmark.
	byHand := func(key results.Key, config string, allocs bool) string {
		key.Config = config
		ratio, extra, ok := set.VersusBare(key)
		switch {
		case !ok:
			return ""
		case allocs:
			return fmt.Sprintf("%+.0f", extra)
		default:
			return fmt.Sprintf("%.2f×", ratio)
		}
	}
	var list []target
	ratio, extra, ok := set.VersusBare(unary(fullConfig))
	list = append(list,
		target{what: "full stack, unary", want: fmt.Sprintf("≤ %.1f×", fullMaxRatio), got: fmt.Sprintf("%.2f×", ratio), met: ratio <= fullMaxRatio, measured: ok,
			byHand: byHand(unary(fullConfig), handrolledFullConfig, false)},
		target{what: "full stack, unary, extra allocs", want: fmt.Sprintf("≤ %d", fullMaxExtraAllocs), got: fmt.Sprintf("%+.0f", extra), met: extra <= fullMaxExtraAllocs, measured: ok,
			byHand: byHand(unary(fullConfig), handrolledFullConfig, true)})
	for _, signal := range []string{"tracing", "metrics", "logging"} {
		ourKey, anchorKey := unary(grpcobsSignalPrefix+signal), unary(anchorSignalPrefix+signal)
		ours, _, ok1 := set.VersusBare(ourKey)
		anchor, _, ok2 := set.VersusBare(anchorKey)
		// "At" the anchor: a difference the rounds cannot tell from noise, as benchstat's "~".
		same, p, _ := set.SameSpeed(ourKey, anchorKey)
		got := fmt.Sprintf("%.2f×", ours)
		if ours > anchor && same {
			got += fmt.Sprintf(" (same as the anchor: p=%.2f)", p)
		}
		list = append(list, target{what: signal + " alone, unary", want: fmt.Sprintf("≤ anchor (%.2f×)", anchor),
			got: got, met: ours <= anchor || same, measured: ok1 && ok2})
	}
	for _, benchmark := range []string{"ServerStream", "Bidi"} {
		key := results.Key{Benchmark: benchmark, Transport: targetTransport, Config: fullConfig}
		r, _, ok := set.VersusBare(key)
		list = append(list, target{what: "full stack, " + results.Label(benchmark), want: fmt.Sprintf("≤ %.1f×", streamMaxRatio),
			got: fmt.Sprintf("%.2f×", r), met: r <= streamMaxRatio, measured: ok, byHand: byHand(key, handrolledFullConfig, false)})
	}
	list = append(list, otelMetricsTargets(set, unary(otelMetricsConfig), unary(otelMetricsAnchorConfig), unary(grpcMetricsAnchorConfig))...)
	ratio, _, ok = set.VersusBare(unary(statusPageConfig))
	list = append(list, target{what: "status page alone, unary", want: fmt.Sprintf("≤ %.2f×", statusPageMaxRatio),
		got: fmt.Sprintf("%.2f×", ratio), met: ratio <= statusPageMaxRatio, measured: ok})
	withPage, without := unary(fullStatusPageConfig), unary(fullConfig)
	r1, _, ok1 := set.VersusBare(withPage)
	r2, _, ok2 := set.VersusBare(without)
	same, p, _ := set.SameSpeed(withPage, without)
	list = append(list, target{what: "full stack with the status page, unary", want: fmt.Sprintf("within noise of the full stack (%.2f×)", r2),
		got: fmt.Sprintf("%.2f× (p=%.2f)", r1, p), met: r1 <= r2 || same, measured: ok1 && ok2})
	ratio, _, ok = set.VersusBare(unary(productionConfig))
	list = append(list, target{what: "production, unary", want: fmt.Sprintf("≤ %.1f×", productionMaxRatio),
		got: fmt.Sprintf("%.2f×", ratio), met: ratio <= productionMaxRatio, measured: ok,
		byHand: byHand(unary(productionConfig), handrolledProductionConfig, false)})
	return list
}

// otelMetricsTargets are the OpenTelemetry metrics signal's targets: at or under both anchors
// that define its modes (otelgrpc's stats handler, grpc-go's plugin), in time and in extra
// allocations.
func otelMetricsTargets(set *results.Set, ours results.Key, anchors ...results.Key) []target {
	ratio, extra, ok := set.VersusBare(ours)
	wantRatio, wantExtra, anchorsOK := 0.0, 0.0, true
	for i, key := range anchors {
		r, e, ok := set.VersusBare(key)
		anchorsOK = anchorsOK && ok
		if i == 0 || r < wantRatio {
			wantRatio = r
		}
		if i == 0 || e < wantExtra {
			wantExtra = e
		}
	}
	return []target{
		{what: "OpenTelemetry metrics alone, unary", want: fmt.Sprintf("≤ both anchors (%.2f×)", wantRatio),
			got: fmt.Sprintf("%.2f×", ratio), met: ratio <= wantRatio, measured: ok && anchorsOK},
		{what: "OpenTelemetry metrics alone, unary, extra allocs", want: fmt.Sprintf("< both anchors (%+.0f)", wantExtra),
			got: fmt.Sprintf("%+.0f", extra), met: extra < wantExtra, measured: ok && anchorsOK},
	}
}

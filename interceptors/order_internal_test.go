package interceptors

import (
	"context"
	"slices"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
)

// named is a reportable known by its name; with a rank it is a grpcobs signal.
type named struct {
	name string
	rank signal.Rank
}

func (n named) ServerReporter(ctx context.Context, _ CallMeta) (Reporter, context.Context) {
	return nil, ctx
}

type rankedNamed struct {
	named
	signal.Embed
}

func newRankedNamed(name string, rank signal.Rank) rankedNamed {
	return rankedNamed{named{name, rank}, signal.NewEmbed(signal.Hooks{Traits: signal.Traits{Rank: rank}})}
}

// grpcobs' signals are put in rank order in the positions they held; every other reportable
// keeps its position.
func TestOrderSignalsKeepsOtherReportablesInPlace(t *testing.T) {
	logging := newRankedNamed("logging", signal.RankLogging)
	metrics := newRankedNamed("metrics", signal.RankMeasure)
	tracing := newRankedNamed("tracing", signal.RankTracing)
	auth, audit := named{name: "auth"}, named{name: "audit"}
	for _, tc := range []struct {
		in   []ServerReportable
		want []string
	}{
		{[]ServerReportable{logging, metrics, tracing}, []string{"tracing", "metrics", "logging"}},
		{[]ServerReportable{auth, logging, audit, tracing, metrics}, []string{"auth", "tracing", "audit", "metrics", "logging"}},
		{[]ServerReportable{auth, audit}, []string{"auth", "audit"}},
		{[]ServerReportable{metrics, auth, tracing}, []string{"tracing", "auth", "metrics"}},
	} {
		var got []string
		for _, r := range orderSignals(tc.in) {
			switch r := r.(type) {
			case named:
				got = append(got, r.name)
			case rankedNamed:
				got = append(got, r.name)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("orderSignals(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

package firstlaw_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The same seed and number of calls draw the same rounds, so that a failing seed reproduces
// its scenario; another seed draws others.
func TestChaosPlanIsSeeded(t *testing.T) {
	a, b := planRounds(defaultChaosSeed, defaultChaosCalls), planRounds(defaultChaosSeed, defaultChaosCalls)
	if diff := cmp.Diff(fmt.Sprint(a), fmt.Sprint(b)); diff != "" {
		t.Errorf("two plans of seed %d differ (-first +second):\n%s", defaultChaosSeed, diff)
	}
	if fmt.Sprint(a) == fmt.Sprint(planRounds(defaultChaosSeed+1, defaultChaosCalls)) {
		t.Errorf("seeds %d and %d draw the same rounds", defaultChaosSeed, defaultChaosSeed+1)
	}
}

// The bounded run (make test's seed and number of calls) mixes every ingredient: each kind of
// call, action and disruption, GOAWAY, a server down at the start, both retries, refusals and
// wait-for-ready.
func TestChaosBoundedRunMixesEverything(t *testing.T) {
	seen := map[string]int{}
	for _, r := range planRounds(defaultChaosSeed, defaultChaosCalls) {
		seen["disruption "+string(r.disruption)]++
		if r.goaway != nil {
			seen["GOAWAY"]++
		}
		if r.downFor > 0 && r.disruption != disRestart {
			seen["server down at the start"]++
		}
		for _, c := range r.calls {
			seen["kind "+string(c.kind)]++
			seen["action "+string(c.action)+" on "+string(c.kind)]++
			if r.retryPolicy && c.refuse > 0 {
				seen["retry policy retrying"]++
			}
			if r.mwRetries(c) && c.refuse > 0 {
				seen["go-grpc-middleware retry retrying "+string(c.kind)]++
			}
			if c.wait {
				seen["wait-for-ready"]++
			}
		}
	}
	want := []string{"GOAWAY", "server down at the start", "retry policy retrying", "wait-for-ready",
		"go-grpc-middleware retry retrying " + string(kindUnary), "go-grpc-middleware retry retrying " + string(kindServerStream)}
	for _, d := range []disruptionKind{disNone, disStop, disGracefulStop, disRestart, disCloseConn} {
		want = append(want, "disruption "+string(d))
	}
	for _, k := range allKinds {
		want = append(want, "kind "+string(k), "action "+string(actNone)+" on "+string(k))
		for _, a := range actionsOf[k] {
			want = append(want, "action "+string(a)+" on "+string(k))
		}
	}
	for _, w := range want {
		if seen[w] == 0 {
			t.Errorf("the bounded run (seed %d, %d calls) has no %s", defaultChaosSeed, defaultChaosCalls, w)
		}
	}
}

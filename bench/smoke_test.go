package bench

import (
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// ceilingsFile holds the allocations per call each configuration and call kind may make at
// most: about 15% above what was measured when it was last written (-allocs.update).
var ceilingsFile = filepath.Join("testdata", "allocs_ceiling.json")

var updateCeilings = flag.Bool("allocs.update", false, "measure and rewrite "+ceilingsFile+" (measured +15%)")

const (
	// smokeRuns is how many calls of each kind each configuration makes.
	smokeRuns = 300
	// ceilingMargin is the headroom a rewritten ceiling gets over what was measured.
	ceilingMargin = 1.15
)

// TestAllocsCeiling is the benchmark smoke of `make test`: every configuration makes a few
// hundred calls of each kind over bufconn, and the test fails when the allocations per call
// (both sides, the whole process) exceed the checked-in ceiling. It never looks at time, so a
// slow or busy machine cannot fail it; only a gross regression can.
func TestAllocsCeiling(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	if testing.Short() {
		t.Skip("short mode")
	}
	ceilings := readCeilings(t)
	measured := map[string]float64{}
	for _, cfg := range Configs() {
		_, client := serve(t, cfg, nil)
		ctx := context.Background()
		for _, kind := range callKinds {
			key := kind.name + "/" + cfg.Name
			var failed error
			allocs := testing.AllocsPerRun(smokeRuns, func() {
				if err := kind.call(ctx, client); err != nil {
					failed = err
				}
			})
			if failed != nil {
				t.Fatalf("%s: %v", key, failed)
			}
			measured[key] = allocs
			if *updateCeilings {
				continue
			}
			ceiling, ok := ceilings[key]
			switch {
			case !ok:
				t.Errorf("%s: no ceiling in %s; run with -allocs.update", key, ceilingsFile)
			case allocs > ceiling:
				t.Errorf("%s: %.0f allocs per call, ceiling %.0f: a regression (or, after a deliberate change, run with -allocs.update)", key, allocs, ceiling)
			default:
				t.Logf("%s: %.0f allocs per call, ceiling %.0f", key, allocs, ceiling)
			}
		}
	}
	if *updateCeilings {
		writeCeilings(t, measured)
	}
}

func readCeilings(t *testing.T) map[string]float64 {
	t.Helper()
	data, err := os.ReadFile(ceilingsFile)
	if err != nil {
		if *updateCeilings && os.IsNotExist(err) {
			return nil
		}
		t.Fatalf("reading the ceilings: %v", err)
	}
	var ceilings map[string]float64
	if err := json.Unmarshal(data, &ceilings); err != nil {
		t.Fatalf("reading %s: %v", ceilingsFile, err)
	}
	return ceilings
}

func writeCeilings(t *testing.T, measured map[string]float64) {
	t.Helper()
	ceilings := make(map[string]float64, len(measured))
	keys := make([]string, 0, len(measured))
	for key, allocs := range measured {
		ceilings[key] = math.Ceil(allocs * ceilingMargin)
		keys = append(keys, key)
	}
	sort.Strings(keys)
	data, err := json.MarshalIndent(ceilings, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ceilingsFile, append(data, '\n'), 0o644); err != nil {
		t.Fatalf("writing the ceilings: %v", err)
	}
	for _, key := range keys {
		t.Logf("%s: %.0f allocs per call, ceiling now %.0f", key, measured[key], ceilings[key])
	}
}

package firstlaw_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/grpcobs/grpcobs/internal/firstlaw"
	"google.golang.org/grpc/codes"
)

// scenario is one situation the suite runs bare and with the stack.
type scenario struct {
	name string
	// prepare, if set, readies a run: it may set the service's before hook and returns the
	// options the run adds to the server and the client. It runs once per run, so state it
	// creates is the run's own.
	prepare func(svc *service) setup
	// calls makes the scenario's calls on w.client and returns what each caller observed.
	calls func(t *testing.T, w *world) []callResult
	// wantCodes are the codes of the calls, in order, and wantAttempts the attempts that
	// reach a handler, in the bare run: they say what the scenario is about, and keep it
	// honest.
	wantCodes    []codes.Code
	wantAttempts int
}

// outcome is everything the callers and the handler observed in one run.
type outcome struct {
	Calls []callResult
	// Attempts is the number of attempts that reached a handler, Returned the codes they
	// returned (sorted) and Incoming the metadata each attempt received, less the trace
	// context and baggage the stack adds.
	Attempts int
	Returned []codes.Code
	Incoming []map[string][]string
}

// runDifferential runs each scenario bare and with the full stack, checks the bare run does
// what the scenario says, that the instrumented run's callers and handler observed exactly
// the same, and that each side of the stack recorded each call once, with its code.
func runDifferential(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			var bare, instrumented outcome
			t.Run("bare", func(t *testing.T) {
				bare = runOnce(t, sc, false)
				if diff := cmp.Diff(sc.wantCodes, codesOf(bare.Calls)); diff != "" {
					t.Errorf("bare call codes (-want +got):\n%s", diff)
				}
				if bare.Attempts != sc.wantAttempts {
					t.Errorf("bare: %d attempts reached the handler, want %d", bare.Attempts, sc.wantAttempts)
				}
			})
			t.Run("grpcobs", func(t *testing.T) {
				instrumented = runOnce(t, sc, true)
			})
			if diff := cmp.Diff(bare, instrumented, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("the stack changed what the callers and the handler observed (-bare +grpcobs):\n%s", diff)
			}
		})
	}
}

// runOnce runs a scenario in a world of its own, and, when instrumented, checks each side's
// records.
func runOnce(t *testing.T, sc scenario, instrumented bool) outcome {
	t.Helper()
	svc := newService()
	var su setup
	if sc.prepare != nil {
		su = sc.prepare(svc)
	}
	w := startWorld(t, instrumented, svc, su)
	calls := sc.calls(t, w)
	if err := svc.waitAllReturned(testContext(t)); err != nil {
		t.Fatalf("waiting for the handlers to return: %v", err)
	}
	attempts, returned := svc.seen()
	if instrumented {
		w.obs.ExpectRecords(t, firstlaw.ClientSide, codesOf(calls))
		w.obs.ExpectRecords(t, firstlaw.ServerSide, returned)
	}
	return outcome{Calls: calls, Attempts: attempts, Returned: returned, Incoming: svc.incomingMetadata()}
}

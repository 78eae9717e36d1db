package firstlaw_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/grpc/codes"
)

// compareChaos compares a round's bare and instrumented runs call by call, and returns how
// many calls differ.
//
// A call whose outcome only its plan decides (no action of its own, and no GOAWAY, server
// down, stopped or restarted, or connection closed in its round) is compared exactly: the
// bare run must get the code and messages the plan says, and the instrumented run exactly the
// same result (code, status message, header, trailer, messages received) after exactly as many
// attempts reached the handler.
//
// Where timing decides (a cancel racing a response, a deadline, a GOAWAY, a stop, grpc-go's
// retry running out in a Send), each run must get a code from the set the plan allows (the
// plan's own code, plus CANCELLED for its cancels and abandonments, CANCELLED or UNAVAILABLE
// for a closed connection, DEADLINE_EXCEEDED for its deadline, UNAVAILABLE for a refused
// attempt and for a server down, stopped, restarted or sending GOAWAY, UNKNOWN where sendRace
// says), and receive a prefix of the messages the plan says (a run of prefixes where
// go-grpc-middleware's retry interceptor restarts a server stream), all of them when it got
// OK.
func compareChaos(t *testing.T, r chaosRound, bare, instrumented chaosRun, figures *chaosFigures) int {
	t.Helper()
	mismatches := 0
	for i, c := range r.calls {
		b, g := bare.results[i], instrumented.results[i]
		var problems []string
		if !r.timingDecided(c) {
			figures.exact.Add(1)
			code, messages := r.natural(c)
			if b.Code != code || !slices.Equal(b.Received, messages) {
				problems = append(problems, fmt.Sprintf("the bare run got %s with %q, the plan says %s with %q", b.Code, b.Received, code, messages))
			}
			if diff := cmp.Diff(b, g, cmpopts.EquateEmpty()); diff != "" {
				problems = append(problems, "the stack changed what the caller observed (-bare +grpcobs):\n"+diff)
			}
			if nb, ng := bare.attempts[c.index], instrumented.attempts[c.index]; nb != ng {
				problems = append(problems, fmt.Sprintf("%d attempts reached the handler bare, %d with the stack", nb, ng))
			}
		} else {
			figures.timed.Add(1)
			allowed := r.allowedCodes(c)
			for _, run := range []struct {
				name string
				res  callResult
			}{{"bare", b}, {"grpcobs", g}} {
				if !slices.Contains(allowed, run.res.Code) {
					problems = append(problems, fmt.Sprintf("%s: got %s (%q), want one of %v", run.name, run.res.Code, run.res.Message, allowed))
				}
				if msg := r.checkReceived(c, run.res); msg != "" {
					problems = append(problems, run.name+": "+msg)
				}
			}
		}
		if len(problems) > 0 {
			mismatches++
			t.Errorf("%s:\n\t%s", c, strings.Join(problems, "\n\t"))
		}
	}
	return mismatches
}

// allowedCodes are the codes a timing-decided call may end with (see compareChaos).
func (r chaosRound) allowedCodes(c chaosCall) []codes.Code {
	code, _ := r.natural(c)
	allowed := []codes.Code{code}
	switch {
	case c.action == actDeadline:
		allowed = append(allowed, codes.DeadlineExceeded)
	case c.action != actNone:
		allowed = append(allowed, codes.Canceled)
	}
	if r.sendRace(c) {
		allowed = append(allowed, codes.Unknown)
	}
	if r.disruption == disCloseConn {
		// CANCELLED, or UNAVAILABLE ("transport is closing") for a call that grpc-go
		// started on the transport being closed.
		allowed = append(allowed, codes.Canceled, codes.Unavailable)
	}
	// A refused attempt's UNAVAILABLE is the call's when a cancel, a deadline or a stop
	// leaves no retry.
	if c.refuse > 0 || r.goaway != nil || r.downFor > 0 || r.disruption == disStop || r.disruption == disGracefulStop || r.disruption == disRestart {
		allowed = append(allowed, codes.Unavailable)
	}
	slices.Sort(allowed)
	return slices.Compact(allowed)
}

// checkReceived says what is wrong with the messages a timing-decided call received, if
// anything: they must be a prefix of the plan's (or, where go-grpc-middleware's retry
// interceptor may restart a server stream, a run of prefixes), and all of them (in the last
// run) when the caller got OK.
func (r chaosRound) checkReceived(c chaosCall, res callResult) string {
	code, messages := r.natural(c)
	restarts := r.mwRetries(c) && c.kind == kindServerStream
	next := 0
	for _, m := range res.Received {
		if restarts && next > 0 && m == messages[0] {
			next = 0 // the retry interceptor's new stream starts again
		}
		if next >= len(messages) || m != messages[next] {
			return fmt.Sprintf("received %q, not a prefix of %q", res.Received, messages)
		}
		next++
	}
	if res.Code == codes.OK && code == codes.OK && !c.abandoned() && next != len(messages) {
		return fmt.Sprintf("OK with %q, the plan says %q", res.Received, messages)
	}
	return ""
}

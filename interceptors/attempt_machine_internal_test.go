package interceptors

import (
	"testing"

	"google.golang.org/grpc/codes"
)

// attemptMachine alone, through the rows of the table in docs/DESIGN.md ("Attempt
// lifecycle"): each step feeds one input and checks the phase it leads to.
func TestAttemptMachineTransitions(t *testing.T) {
	var m attemptMachine
	call := "grpc-go call 1"
	phase := func(a *attempt, want attemptPhase) {
		t.Helper()
		if a.run.phase != want {
			t.Errorf("phase %d, want %d", a.run.phase, want)
		}
	}

	// TagRPC: provisional. Begin keeps it so. End without OutHeader: made, then ended.
	first := &attempt{}
	if sup, now := m.tag(first, call); sup != nil || now {
		t.Fatalf("the first attempt superseded %v, abandoned at once %v", sup, now)
	}
	phase(first, attemptProvisional)
	m.began(first, false)
	phase(first, attemptProvisional)
	mk, madeNow, ended := m.end(first, true, codes.Unavailable)
	if !madeNow || !ended || mk != (madeAttempt{previous: 0}) {
		t.Errorf("End of a provisional attempt: made now %v (%+v), ended %v; want made (0 previous) and ended", madeNow, mk, ended)
	}
	phase(first, attemptEnded)

	// A retry whose Begin says transparent, superseded by the next TagRPC of its grpc-go
	// call: abandoned; its replacement (Begin says false) is the transparent retry, and the
	// server saw no retry before it.
	orphan, replacement := &attempt{}, &attempt{}
	m.tag(orphan, call)
	m.began(orphan, true)
	if sup, _ := m.tag(replacement, call); sup != orphan {
		t.Errorf("the next TagRPC superseded %v, want the provisional attempt", sup)
	}
	phase(orphan, attemptAbandoned)
	m.began(replacement, false)
	if mk, ok := m.make(replacement); !ok || mk != (madeAttempt{previous: 0, transparent: true}) {
		t.Errorf("OutHeader of the replacement: %+v %v, want made, 0 previous, transparent", mk, ok)
	}
	phase(replacement, attemptMade)
	if _, ok := m.make(replacement); ok {
		t.Error("a second OutHeader made the attempt again")
	}
	if _, _, ended := m.end(replacement, false, codes.OK); !ended {
		t.Error("End of a made attempt did not end it")
	}
	if _, _, ended := m.end(orphan, false, codes.OK); ended {
		t.Error("End of an abandoned attempt ended it")
	}

	// A policy retry: one retry before it. An attempt of another grpc-go call neither
	// supersedes it nor shares its count.
	retry, other := &attempt{}, &attempt{}
	m.tag(retry, call)
	m.began(retry, false)
	if sup, _ := m.tag(other, "grpc-go call 2"); sup != nil {
		t.Errorf("another grpc-go call's TagRPC superseded %v", sup)
	}
	if mk, _ := m.make(retry); mk != (madeAttempt{previous: 1}) {
		t.Errorf("the policy retry: %+v, want 1 previous", mk)
	}
	// The stack ends the call: the other call's provisional attempt is abandoned; a made one
	// is not; an attempt created after the end is abandoned at once.
	var abandoned []*attempt
	m.close(func(a *attempt) { abandoned = append(abandoned, a) })
	if len(abandoned) != 1 || abandoned[0] != other {
		t.Errorf("the call's end abandoned %v, want only the provisional attempt", abandoned)
	}
	phase(retry, attemptMade)
	if _, now := m.tag(&attempt{}, call); !now {
		t.Error("an attempt created after the call's end was not abandoned at once")
	}
	if m.made != 3 || len(m.failed) != 1 || m.failed[0] != codes.Unavailable {
		t.Errorf("made %d, failed %v; want 3 made, [Unavailable]", m.made, m.failed)
	}
}

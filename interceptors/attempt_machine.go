package interceptors

import "google.golang.org/grpc/codes"

// The attempt lifecycle of one client call, as pure logic: the stats handler (attempts.go)
// feeds it grpc-go's events under the call's lock and tells the signals what it decides.
// docs/DESIGN.md ("Attempt lifecycle") draws it, with what grpc-go v1.85 emits and why.
//
//	provisional --OutHeader or End--> made --End--> ended
//	provisional --next TagRPC of its grpc-go call, or the call's end--> abandoned
//
// An attempt is provisional from TagRPC: grpc-go may replace it before making it (withRetry
// creates another attempt when its replay buffer is empty), and then never ends it. It is
// made once grpc-go sends its headers or ends it; only made attempts are counted, numbered
// and reported as attempts.

// attemptPhase is where an attempt is in its lifecycle.
type attemptPhase uint8

const (
	attemptProvisional attemptPhase = iota
	attemptMade
	attemptEnded
	attemptAbandoned
)

// attemptRun is the lifecycle state of one attempt, guarded by its call's lock.
type attemptRun struct {
	phase attemptPhase
	// stream is the index of the attempt's grpc-go call in its machine's streams.
	stream int
	// began says stats.Begin came, with transparent its IsTransparentRetryAttempt.
	began, transparent bool
}

// grpcCall is what the machine knows of one grpc-go call (a clientStream): one per call of
// the stack, more when an interceptor inside the stack retries by making new grpc-go calls.
type grpcCall struct {
	// key tells the grpc-go call apart: the Done channel of its context, which grpc-go makes
	// for each call (newClientStreamWithParams) and every attempt's context derives from.
	key any
	// provisional is the call's provisional attempt; grpc-go has at most one.
	provisional *attempt
	// made counts the call's made attempts; retries those of them that grpc-go's retry policy
	// made (its numRetries, the grpc-previous-rpc-attempts of its next attempt).
	made, retries int
	// retry is the Begin of the first attempt created since the last made one, when it came:
	// that attempt may be abandoned, and its replacement's Begin then says "not transparent"
	// whatever the retry was.
	retrySeen, retryTransparent bool
}

// attemptMachine is the attempt lifecycle of one call of the stack.
type attemptMachine struct {
	inline [1]grpcCall
	calls  []grpcCall
	// closed says the call of the stack ended: an attempt created after it is abandoned.
	closed bool
	// made counts the made attempts; failed holds the codes of those that ended in error, in
	// the order they ended.
	made   int
	failed []codes.Code
}

// madeAttempt is what the machine says of an attempt that was just made.
type madeAttempt struct {
	previous    int
	transparent bool
}

// tag records a new attempt a of the grpc-go call keyed key. It returns the attempt a
// supersedes (the call's provisional one), if any, and whether a itself is abandoned at once
// (the call of the stack already ended).
func (m *attemptMachine) tag(a *attempt, key any) (superseded *attempt, abandonNow bool) {
	if m.closed {
		a.run.phase = attemptAbandoned
		return nil, true
	}
	i := m.callIndex(key)
	c := &m.calls[i]
	if p := c.provisional; p != nil {
		p.run.phase = attemptAbandoned
		superseded = p
	}
	a.run = attemptRun{phase: attemptProvisional, stream: i}
	c.provisional = a
	return superseded, false
}

func (m *attemptMachine) callIndex(key any) int {
	if m.calls == nil {
		m.calls = m.inline[:0]
	}
	for i := range m.calls {
		if m.calls[i].key == key {
			return i
		}
	}
	m.calls = append(m.calls, grpcCall{key: key})
	return len(m.calls) - 1
}

// began records stats.Begin of a.
func (m *attemptMachine) began(a *attempt, transparent bool) {
	if a.run.phase != attemptProvisional || a.run.began {
		return
	}
	a.run.began, a.run.transparent = true, transparent
	if c := &m.calls[a.run.stream]; !c.retrySeen {
		c.retrySeen, c.retryTransparent = true, transparent
	}
}

// make makes a if it is provisional (grpc-go sent its headers, or ended it), and reports so.
func (m *attemptMachine) make(a *attempt) (madeAttempt, bool) {
	if a.run.phase != attemptProvisional {
		return madeAttempt{}, false
	}
	c := &m.calls[a.run.stream]
	transparent := false
	if c.made > 0 {
		transparent = a.run.transparent
		if c.retrySeen {
			transparent = c.retryTransparent
		}
		if !transparent {
			c.retries++
		}
	}
	c.retrySeen, c.retryTransparent = false, false
	c.made++
	c.provisional = nil
	m.made++
	a.run.phase = attemptMade
	return madeAttempt{previous: c.retries, transparent: transparent}, true
}

// end ends a (stats.End), making it first if it was provisional. It reports whether a was
// made just now, and whether it ended now (false for an attempt already ended or abandoned).
func (m *attemptMachine) end(a *attempt, failed bool, code codes.Code) (madeAttempt, bool, bool) {
	mk, madeNow := m.make(a)
	if a.run.phase != attemptMade {
		return mk, madeNow, false
	}
	a.run.phase = attemptEnded
	if failed {
		m.failed = append(m.failed, code)
	}
	return mk, madeNow, true
}

// close ends the call of the stack: each provisional attempt is abandoned, and handed to
// abandon.
func (m *attemptMachine) close(abandon func(*attempt)) {
	if m.closed {
		return
	}
	m.closed = true
	for i := range m.calls {
		if p := m.calls[i].provisional; p != nil {
			m.calls[i].provisional = nil
			p.run.phase = attemptAbandoned
			abandon(p)
		}
	}
}

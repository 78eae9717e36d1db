package statuspage

import (
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
)

// otherName is the service and method of the row that counts every call to a method that is
// not known.
const otherName = "other"

type methodName struct {
	service, method string
}

// methodStats is what the page knows of one method on one side.
type methodStats struct {
	name     methodName
	typ      interceptors.GRPCType
	side     *side
	inFlight atomic.Int64
	// lastStart is when the latest call to the method started, in Unix nanoseconds.
	lastStart atomic.Int64
	calls     atomic.Int64 // since the page began
	errors    atomic.Int64
	window    ring
}

// methodTable maps a call to its method's stats. Calls read it without locking; adding a
// method (its first call) copies the table, which happens at most once per known method and
// once for other.
type methodTable struct {
	side    *side
	mu      sync.Mutex // serialises additions
	current atomic.Pointer[map[methodName]*methodStats]
}

func newMethodTable(s *side) *methodTable {
	t := &methodTable{side: s}
	empty := map[methodName]*methodStats{}
	t.current.Store(&empty)
	return t
}

// statsFor returns the stats of a call's method, and whether the method is known. A known
// method (signal.Call.Known) gets a row of its own. Every other call (a scanner's random
// names, a catch-all handler's) is counted in the row "other", so callers cannot grow the
// page.
func (t *methodTable) statsFor(typ interceptors.GRPCType, service, method string, known bool) (*methodStats, bool) {
	if s, ok := (*t.current.Load())[methodName{service, method}]; ok {
		return s, true
	}
	if !known {
		return t.add("", methodName{otherName, otherName}), false
	}
	// The names may point into a larger buffer of the call's: the table keeps its own copy.
	return t.add(typ, methodName{strings.Clone(service), strings.Clone(method)}), true
}

func (t *methodTable) add(typ interceptors.GRPCType, name methodName) *methodStats {
	if s, ok := (*t.current.Load())[name]; ok {
		return s
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := *t.current.Load()
	if s, ok := cur[name]; ok {
		return s
	}
	s := &methodStats{name: name, typ: typ, side: t.side}
	next := maps.Clone(cur)
	next[name] = s
	t.current.Store(&next)
	return s
}

// all returns every method's stats, in no order.
func (t *methodTable) all() []*methodStats {
	cur := *t.current.Load()
	out := make([]*methodStats, 0, len(cur))
	for _, s := range cur {
		out = append(out, s)
	}
	return out
}

// begin counts a call that started at start in flight.
func (s *methodStats) begin(start time.Time) {
	s.inFlight.Add(1)
	s.lastStart.Store(start.UnixNano())
}

// finish records the end of a call to the method that took d.
func (s *methodStats) finish(c *callRecord, err error, d time.Duration) {
	s.inFlight.Add(-1)
	code := interceptors.Code(err)
	isError := s.side.policy.IsError(s.side.isClient, code)
	s.calls.Add(1)
	if isError {
		s.errors.Add(1)
	}
	end := s.endOf(d)
	s.window.record(end, d, isError)
	s.side.recent.record(c, s, end, code, err, isError, d)
}

// endOf returns, in Unix nanoseconds, about when a call that took d ended. For a call shorter
// than a second it reads no clock: the latest start of a call to the method came after this
// call's start and before its end, so it is less than d before the end, close enough to put
// the call in its ten-second bucket. The recent-calls lists read the clock for the calls they
// keep.
func (s *methodStats) endOf(d time.Duration) int64 {
	if d < time.Second {
		if last := s.lastStart.Load(); last != 0 {
			return last
		}
	}
	return s.side.now().UnixNano()
}

package metrics

import (
	"maps"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/protoreg"
	"google.golang.org/grpc"
)

// otherLabel is the grpc_service and grpc_method of every call to a method that is not known.
const otherLabel = "other"

// methodKey names the series of a call.
type methodKey struct {
	typ             interceptors.GRPCType
	service, method string
}

// methodName is a method as a server registers it.
type methodName struct {
	service, method string
}

// methodTable maps each call to its series, and keeps cardinality bounded: only known methods
// get series of their own, every other call is counted under grpc_service="other",
// grpc_method="other".
//
// A method is known when it is registered on a server given to InitializeMetrics; until
// InitializeMetrics was called (and always on a client), when generated code linked into the
// binary declares it. Either way the set of known methods is fixed by the program, not by its
// callers. The table holds an entry per known method and call type, at most four times the
// known methods plus four; nothing an unknown method name brings is kept.
//
// Calls read the table without locking or allocating. Adding a method (on its first call, or
// in InitializeMetrics) copies the table, which happens a bounded number of times.
type methodTable struct {
	vecs      *vectors
	exemplars *exemplarSampler
	mu        sync.Mutex // serialises changes
	current   atomic.Pointer[methodIndex]
}

// methodIndex is one immutable version of the table.
type methodIndex struct {
	series map[methodKey]*methodSeries
	// registered holds the methods of the servers given to InitializeMetrics; nil until then.
	registered map[methodName]struct{}
}

func newMethodTable(v *vectors, ex *exemplarSampler) *methodTable {
	t := &methodTable{vecs: v, exemplars: ex}
	t.current.Store(&methodIndex{series: map[methodKey]*methodSeries{}})
	return t
}

// seriesFor returns the series of a call.
func (t *methodTable) seriesFor(typ interceptors.GRPCType, service, method string) *methodSeries {
	idx := t.current.Load()
	if s, ok := idx.series[methodKey{typ, service, method}]; ok {
		return s
	}
	if !idx.knows(service, method) {
		if s, ok := idx.series[methodKey{typ, otherLabel, otherLabel}]; ok {
			return s
		}
		service, method = otherLabel, otherLabel
	}
	return t.add(methodKey{typ, service, method})
}

// knows reports whether a method gets series of its own.
func (idx *methodIndex) knows(service, method string) bool {
	if idx.registered != nil {
		_, ok := idx.registered[methodName{service, method}]
		return ok
	}
	return protoreg.Declared(service, method)
}

// add creates the series of a known method's first call of its type, or of the first call of
// a type to an unknown method.
func (t *methodTable) add(key methodKey) *methodSeries {
	t.mu.Lock()
	defer t.mu.Unlock()
	idx := t.current.Load()
	if s, ok := idx.series[key]; ok {
		return s
	}
	next := &methodIndex{series: maps.Clone(idx.series), registered: idx.registered}
	// The names may point into a larger buffer of the call's; the table keeps its own copy.
	key.service, key.method = strings.Clone(key.service), strings.Clone(key.method)
	s := t.addLocked(next, key)
	t.current.Store(next)
	return s
}

// addLocked creates the series of key in next. A known method whose names are not valid
// label values (a server can register a service with any name) gets those of other.
func (t *methodTable) addLocked(next *methodIndex, key methodKey) *methodSeries {
	if s, ok := next.series[key]; ok {
		return s
	}
	s, err := newMethodSeries(t.vecs, t.exemplars, string(key.typ), key.service, key.method)
	if err != nil {
		s = t.addLocked(next, methodKey{key.typ, otherLabel, otherLabel})
	}
	next.series[key] = s
	return s
}

// register makes the services' methods the known ones (together with those of servers
// registered before), creates their series and those of every code, and forgets series of
// methods that are no longer known.
func (t *methodTable) register(services map[string]grpc.ServiceInfo) {
	t.mu.Lock()
	defer t.mu.Unlock()
	idx := t.current.Load()
	next := &methodIndex{
		series:     make(map[methodKey]*methodSeries, len(idx.series)),
		registered: make(map[methodName]struct{}, len(idx.registered)),
	}
	maps.Copy(next.registered, idx.registered)
	for service, info := range services {
		for _, m := range info.Methods {
			next.registered[methodName{service, m.Name}] = struct{}{}
		}
	}
	for key, s := range idx.series {
		if next.knows(key.service, key.method) || (key.service == otherLabel && key.method == otherLabel) {
			next.series[key] = s
		}
	}
	for service, info := range services {
		for _, m := range info.Methods {
			if s := t.addLocked(next, methodKey{typeOf(m), service, m.Name}); s.service == service {
				s.initialize()
			}
		}
	}
	t.current.Store(next)
}

// typeOf is the grpc_type of a registered method.
func typeOf(m grpc.MethodInfo) interceptors.GRPCType {
	switch {
	case m.IsClientStream && m.IsServerStream:
		return interceptors.BidiStream
	case m.IsClientStream:
		return interceptors.ClientStream
	case m.IsServerStream:
		return interceptors.ServerStream
	default:
		return interceptors.Unary
	}
}

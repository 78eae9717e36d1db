package metrics

import (
	"maps"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/knownmethods"
	"google.golang.org/grpc"
)

// otherLabel is the grpc_service and grpc_method of every call to a method that is not known.
const otherLabel = "other"

// methodKey names the series of a call.
type methodKey struct {
	typ             interceptors.GRPCType
	service, method string
}

// methodTable maps each call to its series, and keeps cardinality bounded: only known methods
// get series of their own, every other call is counted under grpc_service="other",
// grpc_method="other".
//
// Which methods are known is the grpcobs stack's to say, the same for every signal
// (signal.Call.Known, interceptors.Stack); outside a stack, those generated code linked into
// the program declares and those registered on a server given to InitializeMetrics. Every
// one of them is fixed or bounded by the program, not by its callers. The table holds an entry
// per known method and call type it has seen, at most four times the known methods plus four;
// nothing an unknown method name brings is kept.
//
// Calls read the table without locking or allocating. Adding a method (on its first call, or
// in InitializeMetrics) copies the table, which happens a bounded number of times.
type methodTable struct {
	vecs      *vectors
	exemplars *exemplarSampler
	// servers knows the methods registered on the servers given to InitializeMetrics, for
	// calls made outside a grpcobs stack; stacks are the known-method sets of the stacks the
	// metrics were put in, which InitializeMetrics feeds too.
	servers *knownmethods.Set
	mu      sync.Mutex // serialises changes
	stacks  []*knownmethods.Set
	given   []givenServer
	current atomic.Pointer[methodIndex]
}

// methodIndex is one immutable version of the table.
type methodIndex struct {
	series map[methodKey]*methodSeries
}

func newMethodTable(v *vectors, ex *exemplarSampler) *methodTable {
	t := &methodTable{vecs: v, exemplars: ex, servers: knownmethods.New(nil, 0)}
	t.current.Store(&methodIndex{series: map[methodKey]*methodSeries{}})
	return t
}

// seriesFor returns the series of a call.
func (t *methodTable) seriesFor(typ interceptors.GRPCType, service, method string, known bool) *methodSeries {
	idx := t.current.Load()
	if s, ok := idx.series[methodKey{typ, service, method}]; ok {
		return s
	}
	if !known {
		if s, ok := idx.series[methodKey{typ, otherLabel, otherLabel}]; ok {
			return s
		}
		service, method = otherLabel, otherLabel
	}
	return t.add(methodKey{typ, service, method})
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
	next := &methodIndex{series: maps.Clone(idx.series)}
	// The names may point into a larger buffer of the call's; the table keeps its own copy.
	key.service, key.method = strings.Clone(key.service), strings.Clone(key.method)
	s := t.addLocked(next, key)
	t.current.Store(next)
	return s
}

// addLocked creates the series of key in next. A known method whose names are not valid
// label values gets those of other.
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

// register makes the methods registered on server known, to every stack the metrics are in
// and outside them, now and whenever they are registered before it serves (see
// knownmethods.Set.AddServer), and creates the series of those registered now, with those of
// every code.
func (t *methodTable) register(server ServiceInfoProvider) {
	if server == nil {
		return
	}
	if srv, ok := server.(*grpc.Server); ok && srv == nil {
		return
	}
	services := server.GetServiceInfo()
	t.servers.AddRead(server, services)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.given = append(t.given, givenServer{server, services})
	for _, set := range t.stacks {
		set.AddRead(server, services)
	}
	next := &methodIndex{series: maps.Clone(t.current.Load().series)}
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

// useKnown is signal.Hooks.UseKnown: the servers given to InitializeMetrics, before or after,
// feed the known-method set of every stack the metrics are in.
func (t *methodTable) useKnown(set *knownmethods.Set) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stacks = append(t.stacks, set)
	for _, g := range t.given {
		set.AddRead(g.server, g.services)
	}
}

// givenServer is a server given to InitializeMetrics, and its services as read then.
type givenServer struct {
	server   ServiceInfoProvider
	services map[string]grpc.ServiceInfo
}

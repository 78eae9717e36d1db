package knownmethods

import (
	"maps"
	"sync"
	"sync/atomic"

	"github.com/grpcobs/grpcobs/interceptors/internal/protoreg"
	"google.golang.org/grpc"
)

// ServiceInfoProvider lists the services registered on a server; *grpc.Server is one.
type ServiceInfoProvider interface {
	GetServiceInfo() map[string]grpc.ServiceInfo
}

// Set is the methods one signal knows (see the package doc). Known is safe for concurrent
// use, and a method the Set knows costs two map lookups without locking or allocating; so does
// a method it does not know, once its servers were read again and its first-seen slots are
// taken (until then, such a call takes a lock).
type Set struct {
	// listed are the methods the program listed; never changed after New.
	listed map[Method]struct{}
	// learned are the methods registered on the servers given, and the first seen. It is
	// replaced, never changed, under mu, so that Known reads it without locking.
	learned atomic.Pointer[map[Method]struct{}]
	// open is true while a method the Set does not know may still become known: a server is
	// pending, or a first-seen slot is free.
	open atomic.Bool

	mu sync.Mutex
	// pending are the servers given and not yet read again at a call to an unknown method.
	pending []ServiceInfoProvider
	// firstSeenLeft is how many methods the Set still learns from their first call.
	firstSeenLeft int
}

// New returns a Set that knows the declared methods, the listed ones, and the first firstSeen
// methods it is asked about that it does not otherwise know (a negative firstSeen is 0; see
// CheckFirstSeen). The methods are ParseMethod's.
func New(listed []Method, firstSeen int) *Set {
	s := &Set{listed: make(map[Method]struct{}, len(listed)), firstSeenLeft: max(firstSeen, 0)}
	for _, m := range listed {
		if m.valid() {
			s.listed[m.clone()] = struct{}{}
		}
	}
	s.learned.Store(&map[Method]struct{}{})
	s.open.Store(s.firstSeenLeft > 0)
	return s
}

// AddServer makes the methods registered on server known, now and whenever they are
// registered before server serves: the Set reads the server now, and once more at the first
// call to a method it does not know. It returns the services it read now. A nil server, or a
// nil Set, is ignored.
func (s *Set) AddServer(server ServiceInfoProvider) map[string]grpc.ServiceInfo {
	if s == nil || server == nil {
		return nil
	}
	if srv, ok := server.(*grpc.Server); ok && srv == nil {
		return nil
	}
	services := server.GetServiceInfo()
	s.AddRead(server, services)
	return services
}

// AddRead is AddServer for a server whose services the caller has just read, so that several
// Sets given one server read it once.
func (s *Set) AddRead(server ServiceInfoProvider, services map[string]grpc.ServiceInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := maps.Clone(*s.learned.Load())
	addRegistered(next, services)
	s.learned.Store(&next)
	s.pending = append(s.pending, server)
	s.open.Store(true)
}

// Known reports whether the method is known: a signal gives it a name of its own. A nil Set
// knows the declared methods.
func (s *Set) Known(service, method string) bool {
	if s == nil {
		return protoreg.Declared(service, method)
	}
	m := Method{Service: service, Method: method}
	if _, ok := s.listed[m]; ok {
		return true
	}
	if _, ok := (*s.learned.Load())[m]; ok {
		return true
	}
	if protoreg.Declared(service, method) {
		return true
	}
	return s.open.Load() && s.learn(m)
}

// learn is Known's slow path, while the Set is open: it reads the pending servers again, then
// takes a first-seen slot for m if one is free and m can be a name.
func (s *Set) learn(m Method) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	learned := *s.learned.Load()
	if len(s.pending) > 0 {
		learned = maps.Clone(learned)
		for _, server := range s.pending {
			addRegistered(learned, server.GetServiceInfo())
		}
		// Once one of its calls is served, a server takes no more registrations.
		s.pending = nil
		s.learned.Store(&learned)
	}
	_, known := learned[m]
	if !known && s.firstSeenLeft > 0 && canLearnFromCall(m) {
		learned = maps.Clone(learned)
		learned[m.clone()] = struct{}{}
		s.learned.Store(&learned)
		s.firstSeenLeft--
		known = true
	}
	s.open.Store(s.firstSeenLeft > 0)
	return known
}

// canLearnFromCall reports whether a method a caller named can take a first-seen slot.
func canLearnFromCall(m Method) bool {
	return m.Service != "" && m.Method != "" && len(m.Service)+1+len(m.Method) <= maxNameBytes && m.valid()
}

// addRegistered adds the methods of services to known.
func addRegistered(known map[Method]struct{}, services map[string]grpc.ServiceInfo) {
	for service, info := range services {
		for _, mi := range info.Methods {
			if m := (Method{Service: service, Method: mi.Name}); m.valid() {
				known[m] = struct{}{}
			}
		}
	}
}

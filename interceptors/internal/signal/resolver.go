package signal

import (
	"sync/atomic"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/boundedcache"
	"github.com/grpcobs/grpcobs/interceptors/internal/knownmethods"
	"github.com/grpcobs/grpcobs/interceptors/internal/rpcconv"
	"google.golang.org/grpc"
)

// Method is a call's method as its stack resolved it, with one slot per signal of the stack
// for what that signal builds once per method (span options, attribute sets): the stack's one
// per-method cache. Every method the stack does not know shares one Method per target, whose
// Key has no Service and no Method.
type Method struct {
	Key   rpcconv.MethodKey
	slots []atomic.Pointer[any]
}

// Slot returns what the signal at index i of the stack (Call.Slot) keeps for the method, or
// nil (always for a nil Method: a Call built without a Resolver).
func (m *Method) Slot(i int) any {
	if m == nil {
		return nil
	}
	if p := m.slots[i].Load(); p != nil {
		return *p
	}
	return nil
}

// Store keeps v in the slot of the signal at index i, for every later call; on a nil Method
// it does nothing.
func (m *Method) Store(i int, v any) {
	if m != nil {
		m.slots[i].Store(&v)
	}
}

// Resolver resolves a stack's calls: its one known-method set and its one cache of Methods.
type Resolver struct {
	known   *knownmethods.Set // nil: the declared methods
	slots   int
	methods boundedcache.Map[resolverKey, *Method]
}

type resolverKey struct {
	rpcconv.MethodKey
	other bool
}

// maxMethods bounds the cache. Only known methods get entries of their own (and, on a client,
// one per target they are called on), so callers' made-up names take no memory; past the
// bound the cache starts over, and the signals build their slots again.
const maxMethods = 1024

// NewResolver returns the Resolver of a stack of slots signals that knows what known knows.
func NewResolver(known *knownmethods.Set, slots int) *Resolver {
	return &Resolver{known: known, slots: slots}
}

// Resolve returns the Method of a call to meta's method through cc (nil on a server), and
// whether the method is known: registered on the server the call reached (registered), or
// known to the set.
func (r *Resolver) Resolve(meta mw.CallMeta, cc *grpc.ClientConn, registered bool) (*Method, bool) {
	key := resolverKey{MethodKey: rpcconv.KeyOf(meta, cc)}
	if m, ok := r.methods.Load(key); ok {
		return m, true
	}
	if registered || r.known.Known(meta.Service, meta.Method) {
		key.MethodKey = key.Owned()
		return r.store(key), true
	}
	key = resolverKey{MethodKey: rpcconv.MethodKey{Target: key.Target}, other: true}
	if m, ok := r.methods.Load(key); ok {
		return m, false
	}
	return r.store(key), false
}

func (r *Resolver) store(key resolverKey) *Method {
	return r.methods.Store(key, &Method{Key: key.MethodKey, slots: make([]atomic.Pointer[any], r.slots)}, maxMethods)
}

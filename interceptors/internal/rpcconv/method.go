package rpcconv

import (
	"strings"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"google.golang.org/grpc"
)

// MethodKey is a method, and on a client the target of the connection it is called on
// (grpc.ClientConn.Target; "" on a server): the key of a signal's per-method cache.
type MethodKey struct{ Service, Method, Target string }

// KeyOf returns the key of a call to meta's method through cc (nil on a server).
func KeyOf(meta mw.CallMeta, cc *grpc.ClientConn) MethodKey {
	k := MethodKey{Service: meta.Service, Method: meta.Method}
	if cc != nil {
		k.Target = cc.Target()
	}
	return k
}

// Owned returns k with its own copy of the names, which may point into a larger buffer of
// the call's: what a cache keeps.
func (k MethodKey) Owned() MethodKey {
	k.Service, k.Method = strings.Clone(k.Service), strings.Clone(k.Method)
	return k
}

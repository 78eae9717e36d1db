// Package boundedcache is the cache grpcobs' signals keep of what they compute once per
// method, target or peer: a concurrent map that holds at most a bound of entries and, past it,
// starts over. A process that keeps meeting new keys (a client dialling ever new targets, a
// caller inventing method names) so keeps the keys in use cached, instead of growing without
// end or of caching nothing more once full.
//
// The zero Map is empty and ready to use. A signal stores what it computed after a Load
// missed, with the same bound every time:
//
//	var methods boundedcache.Map[methodKey, *method] // in the signal's core
//
//	if m, ok := methods.Load(key); ok {
//		return m
//	}
//	return methods.Store(key, newMethod(key), maxCachedMethods) // the value cached first wins
package boundedcache

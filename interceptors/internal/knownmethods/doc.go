// Package knownmethods decides which gRPC methods a grpcobs signal names: those that get series
// of their own in metrics, and spans named after them in tracing. Every other method is a name
// the caller chose, and a signal folds it into one bounded value ("other", "_OTHER").
//
// A method is known to a Set when
//   - generated code linked into the program declares it (see protoreg.Declared);
//   - it is registered on a server given to the Set (AddServer), whenever it was registered:
//     grpc-go allows no registration once a server serves, so the Set reads each server when it
//     is given, and once more at the first call to a method it does not know, which happens
//     while serving; after that the server is not read again;
//   - the program lists it (ParseMethod, New);
//   - it is among the first few methods seen (New's firstSeen), for those who accept that the
//     first callers choose them.
//
// All of these are fixed by the program or bounded by it, never by its callers, so a scanner
// calling random method names adds nothing. A name that is not valid UTF-8 is never known.
//
// A grpcobs stack builds one Set from its options (interceptors.Stack) and asks it once per
// call, for every signal (signal.Call.Known):
//
//	set := knownmethods.New(methods, firstSeen) // from the stack's options
//	set.AddServer(srv)                          // e.g. from metrics' InitializeMetrics
//	if set.Known(meta.Service, meta.Method) { … } else { … "other" … }
//
// A nil *Set knows the declared methods only.
package knownmethods

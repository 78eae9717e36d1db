package otelmetrics

import "sync"

// maxA66Targets bounds the values of grpc.target: the first targets a client calls keep their
// canonical name, every later one is recorded as "other", as gRFC A66 allows. grpc-go's plugin
// does not bound it.
const maxA66Targets = 64

// a66Targets admits the first maxA66Targets targets, for the life of the signal.
type a66Targets struct {
	mu       sync.Mutex
	admitted map[string]struct{}
}

// value is the grpc.target of a connection created with canonical as its canonical target
// ("" when the connection is not known: the signal was called outside the grpcobs stack).
func (t *a66Targets) value(canonical string) string {
	if canonical == "" {
		return a66Other
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.admitted[canonical]; ok {
		return canonical
	}
	if len(t.admitted) >= maxA66Targets {
		return a66Other
	}
	if t.admitted == nil {
		t.admitted = make(map[string]struct{})
	}
	t.admitted[canonical] = struct{}{}
	return canonical
}

package signal_test

import (
	"testing"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/knownmethods"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
)

// A Resolver gives every call to a known method the same Method, whose slots each signal
// keeps to itself; every unknown method shares one Method (per target), and a name it does
// not know is not kept.
func TestResolverKeepsKnownMethodsAndOneOther(t *testing.T) {
	listed, err := knownmethods.ParseMethod("/listed.v1.S/Get")
	if err != nil {
		t.Fatal(err)
	}
	r := signal.NewResolver(knownmethods.New([]knownmethods.Method{listed}, 0), 2)
	get := mw.CallMeta{Service: "listed.v1.S", Method: "Get"}
	m, known := r.Resolve(get, nil, false)
	if !known || m.Key.Service != "listed.v1.S" || m.Key.Method != "Get" {
		t.Fatalf("Resolve(Get) = %+v, %v; want the listed method, known", m.Key, known)
	}
	m.Store(0, "tracing's")
	m.Store(1, "metrics'")
	again, _ := r.Resolve(get, nil, false)
	if again != m || again.Slot(0) != "tracing's" || again.Slot(1) != "metrics'" {
		t.Errorf("a second call got %p (slots %v, %v), want %p with each signal's slot", again, again.Slot(0), again.Slot(1), m)
	}

	registered, known := r.Resolve(mw.CallMeta{Service: "hand.v1.S", Method: "Add"}, nil, true)
	if !known || registered.Key.Method != "Add" {
		t.Errorf("a method registered on the server: %+v, %v; want it known", registered.Key, known)
	}

	a, knownA := r.Resolve(mw.CallMeta{Service: "made.up.S", Method: "A"}, nil, false)
	b, knownB := r.Resolve(mw.CallMeta{Service: "made.up.S", Method: "B"}, nil, false)
	if knownA || knownB || a != b || a.Key.Service != "" || a.Key.Method != "" {
		t.Errorf("unknown methods: %+v (%v) and %+v (%v); want one shared Method without names, not known", a.Key, knownA, b.Key, knownB)
	}
	if again, _ := r.Resolve(mw.CallMeta{Service: "made.up.S", Method: "A"}, nil, false); again != a {
		t.Error("an unknown method got a Method of its own")
	}
}

// A nil Method (a Call built without a Resolver) keeps nothing.
func TestNilMethodKeepsNothing(t *testing.T) {
	var m *signal.Method
	m.Store(0, "x")
	if v := m.Slot(0); v != nil {
		t.Errorf("Slot = %v, want nil", v)
	}
}

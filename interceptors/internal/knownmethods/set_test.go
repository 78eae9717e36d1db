package knownmethods

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1" // declares grpcobs.demo.v1.DemoService
	"go.uber.org/goleak"
	"google.golang.org/grpc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const demo = "grpcobs.demo.v1.DemoService"

// fakeServer is a server whose services a test registers at will, counting how often they
// are read.
type fakeServer struct {
	mu       sync.Mutex
	services map[string]grpc.ServiceInfo
	reads    atomic.Int32
}

func (f *fakeServer) register(service string, methods ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.services == nil {
		f.services = map[string]grpc.ServiceInfo{}
	}
	info := f.services[service]
	for _, m := range methods {
		info.Methods = append(info.Methods, grpc.MethodInfo{Name: m})
	}
	f.services[service] = info
}

func (f *fakeServer) GetServiceInfo() map[string]grpc.ServiceInfo {
	f.reads.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]grpc.ServiceInfo, len(f.services))
	for k, v := range f.services {
		out[k] = v
	}
	return out
}

func TestANilSetKnowsTheDeclaredMethods(t *testing.T) {
	var s *Set
	if !s.Known(demo, "Echo") {
		t.Errorf("a nil Set does not know %s/Echo, which generated code declares", demo)
	}
	if s.Known("hand.v1.S", "M") {
		t.Errorf("a nil Set knows hand.v1.S/M, which nothing declares")
	}
	if got := s.AddServer(&fakeServer{}); got != nil {
		t.Errorf("AddServer on a nil Set read %v, want nothing", got)
	}
}

func TestListedMethods(t *testing.T) {
	s := New([]Method{{"proxy.v1.Routes", "Get"}, {"bad\xff", "M"}}, 0)
	for _, tc := range []struct {
		service, method string
		want            bool
	}{
		{"proxy.v1.Routes", "Get", true},
		{"proxy.v1.Routes", "Put", false},
		{demo, "Echo", true}, // declared
		{"bad\xff", "M", false},
	} {
		if got := s.Known(tc.service, tc.method); got != tc.want {
			t.Errorf("Known(%q, %q) = %v, want %v", tc.service, tc.method, got, tc.want)
		}
	}
}

func TestParseMethod(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Method
		wantErr string
	}{
		{"pkg.S/M", Method{"pkg.S", "M"}, ""},
		{"/pkg.S/M", Method{"pkg.S", "M"}, ""},
		{"M", Method{}, "not a full method name"},
		{"/pkg.S/", Method{}, "not a full method name"},
		{"//M", Method{}, "not a full method name"},
		{"/a/b/c", Method{}, "not a full method name"},
		{"", Method{}, "not a full method name"},
		{"/pkg\xff.S/M", Method{}, "not valid UTF-8"},
	} {
		got, err := ParseMethod(tc.in)
		if tc.wantErr == "" {
			if err != nil || got != tc.want {
				t.Errorf("ParseMethod(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ParseMethod(%q) error = %v, want one containing %q", tc.in, err, tc.wantErr)
		}
	}
}

// A server is read when given, and once more at the first unknown method, whenever its methods
// were registered before that; then never again.
func TestServersAreReadAgainOnceAtTheFirstUnknownMethod(t *testing.T) {
	var srv fakeServer
	srv.register("hand.v1.Early", "M")
	s := New(nil, 0)
	if got := s.AddServer(&srv); len(got) != 1 {
		t.Errorf("AddServer read %v, want the one service registered", got)
	}
	srv.register("hand.v1.Late", "M") // after AddServer, before serving
	if !s.Known("hand.v1.Early", "M") {
		t.Error("a method registered before AddServer is not known")
	}
	if got := srv.reads.Load(); got != 1 {
		t.Errorf("%d reads after a known method, want 1", got)
	}
	if !s.Known("hand.v1.Late", "M") {
		t.Error("a method registered after AddServer is not known")
	}
	for i := range 100 {
		if s.Known("scan.v1.S", fmt.Sprint("M", i)) {
			t.Fatalf("scan.v1.S/M%d is known", i)
		}
	}
	if got := srv.reads.Load(); got != 2 {
		t.Errorf("the server was read %d times, want 2", got)
	}
	// grpc-go refuses a registration once the server serves; a provider that took one now
	// would not be read again.
	srv.register("hand.v1.TooLate", "M")
	if s.Known("hand.v1.TooLate", "M") || srv.reads.Load() != 2 {
		t.Errorf("a method registered after the first unknown one was learned (%d reads)", srv.reads.Load())
	}
}

func TestFirstSeenMethodsAreBounded(t *testing.T) {
	const slots, callers = 10, 8
	s := New(nil, slots)
	long := strings.Repeat("x", maxNameBytes)
	if s.Known("long.v1.S", long) || s.Known("bad\xff", "M") || s.Known("", "M") {
		t.Error("a name that cannot be one took a first-seen place")
	}
	var learned atomic.Int32
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := range 100 {
				if s.Known("scan.v1.S", fmt.Sprint("M", c, "_", i)) {
					learned.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := learned.Load(); got != slots {
		t.Errorf("%d methods learned from their first call, want %d", got, slots)
	}
	if s.open.Load() {
		t.Error("the Set is still open with every place taken")
	}
}

func TestCheckFirstSeen(t *testing.T) {
	if err := CheckFirstSeen(0); err != nil {
		t.Errorf("CheckFirstSeen(0) = %v", err)
	}
	if err := CheckFirstSeen(-1); err == nil {
		t.Error("CheckFirstSeen(-1) = nil, want an error")
	}
}

// Once its servers were read again and its places taken, a Set answers without locking or
// allocating, for a known method and for an unknown one.
func TestKnownAllocatesNothing(t *testing.T) {
	var srv fakeServer
	srv.register("hand.v1.S", "M")
	s := New([]Method{{"proxy.v1.R", "Get"}}, 0)
	s.AddServer(&srv)
	s.Known("scan.v1.S", "first") // the first unknown method reads the server again
	service, method := strings.Clone("scan.v1.S"), strings.Clone("Probe")
	for _, tc := range []struct{ service, method string }{
		{"hand.v1.S", "M"}, {"proxy.v1.R", "Get"}, {demo, "Echo"}, {service, method},
	} {
		if n := testing.AllocsPerRun(100, func() { s.Known(tc.service, tc.method) }); n != 0 {
			t.Errorf("Known(%q, %q) allocates %v times, want 0", tc.service, tc.method, n)
		}
	}
}

package logging

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc/metadata"
)

type parentKey struct{}

// TestACallIsItsParentsContextWithTheCall: the context a call hands on (the call itself) has
// its parent's deadline, cancellation, error and values, and the call under callKey.
func TestACallIsItsParentsContextWithTheCall(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(context.WithValue(context.Background(), parentKey{}, "v"), deadline)
	parent = metadata.NewIncomingContext(parent, metadata.Pairs("k", "v"))
	l := newCallLogger(logrus.New(), false, nil)
	_, ctx := l.start(parent, signal.Call{Meta: mw.CallMeta{Service: "s.v1.S", Method: "M", Typ: mw.Unary}})
	if callFrom(ctx) == nil {
		t.Fatal("the call is not under callKey")
	}
	if got, ok := ctx.Deadline(); !ok || !got.Equal(deadline) {
		t.Errorf("Deadline() = %v, %v; want %v, true", got, ok, deadline)
	}
	if ctx.Value(parentKey{}) != "v" {
		t.Errorf("the parent's value is lost: %v", ctx.Value(parentKey{}))
	}
	if md, _ := metadata.FromIncomingContext(ctx); md.Get("k")[0] != "v" {
		t.Errorf("the parent's metadata is lost: %v", md)
	}
	// The parent's text, whose deadline part counts down, then the call's.
	if got := fmt.Sprint(ctx); !strings.HasPrefix(got, "context.Background.WithValue(logging.parentKey, v).WithDeadline(") ||
		!strings.HasSuffix(got, ".WithValue(metadata.mdIncomingKey, map[<1 redacted>]).WithValue(logging call)") {
		t.Errorf("the call's context prints as %q", got)
	}
	child, stop := context.WithCancel(ctx) // a context derived from the call, as handlers do
	defer stop()
	if ctx.Err() != nil || child.Err() != nil {
		t.Fatal("done before the parent was cancelled")
	}
	cancel()
	<-ctx.Done()
	<-child.Done()
	if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
		t.Errorf("Err() = %v and %v after the parent's cancel, want Canceled", ctx.Err(), child.Err())
	}
}

// TestACallStaysSmall: a call is allocated for every call logged, sampled away or not; 144
// bytes is the size class it fits in (payloads and the request scope live apart from it).
func TestACallStaysSmall(t *testing.T) {
	if size := unsafe.Sizeof(call{}); size > 144 {
		t.Errorf("a call takes %d bytes, more than the 144 of its size class", size)
	}
}

// TestACallPrintsAsItsStringWithEveryVerb: whatever the verb, a call's context prints as its
// String, and printing it while another goroutine adds fields is no race (fmt would otherwise
// walk the call's fields, its AddFields map among them).
func TestACallPrintsAsItsStringWithEveryVerb(t *testing.T) {
	l := newCallLogger(logrus.New(), false, nil)
	_, ctx := l.start(context.Background(), signal.Call{Meta: mw.CallMeta{Service: "s.v1.S", Method: "M", Typ: mw.Unary}})
	want := "context.Background.WithValue(logging call)"
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			AddFields(ctx, logrus.Fields{"k": i})
		}
	})
	for range 50 {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
			if got := fmt.Sprintf(verb, ctx); got != want {
				t.Fatalf("%s prints %q, want %q", verb, got, want)
			}
		}
		if got := fmt.Sprintf("%q", ctx); got != strconv.Quote(want) {
			t.Fatalf("%%q prints %s, want %s", got, strconv.Quote(want))
		}
	}
	wg.Wait()
}

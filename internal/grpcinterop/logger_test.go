package grpcinterop_test

import (
	"fmt"
	"sync"
	"testing"
)

// caseLogger is grpc-go's logger in this package: it drops everything but fatal lines, which
// fail the test that runs the interop case (see runCase). grpc-go exits the process after a
// fatal line; failing the test ends the case's goroutine first, as t.Fatal does.
var caseLogger = &testLogger{}

type testLogger struct {
	mu sync.Mutex
	t  *testing.T // the test running an interop case; nil between cases
}

// running makes t the test that fatal lines fail, until the returned function is called.
func (l *testLogger) running(t *testing.T) (done func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t = t
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.t = nil
	}
}

func (l *testLogger) fatal(msg string) {
	l.mu.Lock()
	t := l.t
	l.mu.Unlock()
	if t == nil {
		panic("grpc fatal log outside an interop case: " + msg)
	}
	t.Fatal(msg)
}

func (*testLogger) Info(...any)                 {}
func (*testLogger) Infoln(...any)               {}
func (*testLogger) Infof(string, ...any)        {}
func (*testLogger) Warning(...any)              {}
func (*testLogger) Warningln(...any)            {}
func (*testLogger) Warningf(string, ...any)     {}
func (*testLogger) Error(...any)                {}
func (*testLogger) Errorln(...any)              {}
func (*testLogger) Errorf(string, ...any)       {}
func (*testLogger) V(int) bool                  { return false }
func (l *testLogger) Fatal(args ...any)         { l.fatal(fmt.Sprint(args...)) }
func (l *testLogger) Fatalln(args ...any)       { l.fatal(fmt.Sprintln(args...)) }
func (l *testLogger) Fatalf(f string, a ...any) { l.fatal(fmt.Sprintf(f, a...)) }

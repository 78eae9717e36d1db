package health

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// errGoexit is the result of a checker that called runtime.Goexit (t.FailNow, for one)
// instead of returning.
var errGoexit = errors.New("check called runtime.Goexit instead of returning")

// timeoutError is the result of a run that did not end within its timeout. It is
// context.DeadlineExceeded for errors.Is, and wraps what the checker returned, if anything.
type timeoutError struct {
	timeout time.Duration
	cause   error
}

func (e *timeoutError) Error() string {
	if e.cause == nil || e.cause == context.DeadlineExceeded {
		return fmt.Sprintf("check timed out after %s", e.timeout)
	}
	return fmt.Sprintf("check timed out after %s: %v", e.timeout, e.cause)
}

func (e *timeoutError) Unwrap() []error {
	if e.cause == nil {
		return []error{context.DeadlineExceeded}
	}
	return []error{context.DeadlineExceeded, e.cause}
}

// stuckError is the result recorded in place of a run that could not start because the
// previous run, abandoned at its timeout, has still not returned.
type stuckError struct {
	running time.Duration
}

func (e *stuckError) Error() string {
	return fmt.Sprintf("previous run still running after %s: the checker ignores its context, no new run starts until it returns", e.running)
}

// panicError is the result of a checker that panicked.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("check panicked: %v", e.value) }

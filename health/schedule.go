package health

import (
	"context"
	"runtime/debug"
	"time"
)

// runLoop runs ck after its initial delay, then every interval, until ctx ends.
func (r *Registry) runLoop(ctx context.Context, ck *check) {
	defer r.loops.Done()
	timer := time.NewTimer(ck.opts.initialDelay)
	defer timer.Stop()
	var stuck *abandonedRun
	for waitTurn(ctx, timer) {
		start := time.Now()
		stuck = r.runOnce(ctx, ck, stuck)
		timer.Reset(max(0, ck.opts.interval-time.Since(start)))
	}
}

// waitTurn waits for the timer and reports whether to run, or for ctx and reports false.
// When both are ready, select picks one at random: the check of ctx after it makes the
// stop win, always.
func waitTurn(ctx context.Context, timer *time.Timer) bool {
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return ctx.Err() == nil
	}
}

// abandonedRun is a run that was cut off at its timeout while its checker kept running.
type abandonedRun struct {
	start time.Time
	done  <-chan error
}

// runOnce runs ck once, waits for it no longer than its timeout, and records the result.
// While an abandoned run has not returned, it starts no new one and records a failure
// instead. It returns the run it had to abandon, if any.
func (r *Registry) runOnce(ctx context.Context, ck *check, stuck *abandonedRun) *abandonedRun {
	if stuck != nil {
		select {
		case <-stuck.done: // it returned at last; its result is stale
		default:
			r.record(ctx, ck, runResult{start: time.Now(), err: &stuckError{running: time.Since(stuck.start)}})
			return stuck
		}
	}

	start := time.Now()
	runCtx, cancel := context.WithTimeout(ctx, ck.opts.timeout)
	defer cancel()
	runCtx, span := r.tracer.Start(runCtx, spanName, spanOptions(ck)...)
	done := startChecker(runCtx, ck.checker)

	var (
		err       error
		abandoned *abandonedRun
	)
	select {
	case err = <-done:
	case <-runCtx.Done():
		select {
		case err = <-done:
		default:
			if ctx.Err() != nil {
				// The registry is stopping: give the checker what is left of its timeout
				// to honour the cancel, so that Stop leaves no well-behaved run behind.
				err = awaitChecker(done, ck.opts.timeout-time.Since(start), ctx.Err())
			} else {
				abandoned = &abandonedRun{start: start, done: done}
			}
		}
	}
	if ctx.Err() == nil && runCtx.Err() == context.DeadlineExceeded && (err != nil || abandoned != nil) {
		err = &timeoutError{timeout: ck.opts.timeout, cause: err}
	}
	res := runResult{start: start, duration: time.Since(start), err: err, ran: true}
	endSpan(span, err)
	if ctx.Err() != nil {
		return nil // the registry stopped: this result says nothing about the dependency
	}
	r.record(ctx, ck, res)
	return abandoned
}

// startChecker runs c in a goroutine of its own and returns the channel its result comes
// on. A panic becomes a *panicError, and a runtime.Goexit an error too, so a result always
// comes once the checker returns.
func startChecker(ctx context.Context, c Checker) <-chan error {
	done := make(chan error, 1)
	go func() {
		err := errGoexit
		defer func() { done <- err }()
		err = callChecker(ctx, c)
	}()
	return done
}

// callChecker calls c.Check, turning a panic into an error.
func callChecker(ctx context.Context, c Checker) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v, stack: debug.Stack()}
		}
	}()
	return c.Check(ctx)
}

// awaitChecker waits for a result on done for at most d, and gives fallback if none comes.
func awaitChecker(done <-chan error, d time.Duration, fallback error) error {
	timer := time.NewTimer(max(0, d))
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fallback
	}
}

// record applies a result to ck, exports it, and logs what it changed. A result that comes
// once the registry is stopping (Stop was called, or ctx ended) is dropped: the decision is
// taken under the lock that Stop takes first, so it does not depend on timing.
func (r *Registry) record(ctx context.Context, ck *check, res runResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped || ctx.Err() != nil {
		return
	}
	r.metrics.observe(ck.name, res)
	tr, changed := ck.applyLocked(res)
	switch {
	case changed:
		r.logCheckTransitionLocked(tr)
		if ck.opts.critical {
			r.logServiceChangesLocked(r.refreshLocked())
		}
	case res.err != nil && ck.status == Passing:
		r.logFailedRunLocked(ck, res.err)
	}
}

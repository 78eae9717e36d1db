package interceptors

// clientCall is the lifecycle of one client stream call: a state machine over the caller's
// operations, grpc-go's OnFinish callbacks, the streamer's return and the caller's context.
// It is pure logic; clientStream adapts it to grpc-go and guards it with a mutex. Each input
// returns what the adapter must do next. docs/DESIGN.md ("Client call lifecycle") draws the
// machine and gives the reasons for each transition.
type clientCall struct {
	state callState
	ops   int   // caller operations running now
	err   error // the outcome (callEnding, callEnded), the pending finish (callPending) or the held final finish (callCreating)
	// observed says err is what the caller observed (an operation's or the streamer's result),
	// which no finish overrides.
	observed bool
	// heldFinal says a final finish arrived during creation (err holds it).
	heldFinal bool
	// stale says a tentative finish was superseded (by the streamer's return or a message):
	// some stream ended without the machine knowing whether it was the caller's.
	stale    bool
	watching bool  // the adapter watches the caller's context
	ctxErr   error // the caller's context's status, once the watch saw it end
	// confirmed says a tentative finish decided the call when the caller's context ended
	// (err holds it); a message after it supersedes it, as in callPending.
	confirmed bool
}

// callState names where a call is.
type callState uint8

const (
	callCreating callState = iota // the streamer runs; finishes are held until it returns
	callOpen                      // the stream is open; nothing says it is over
	callPending                   // a tentative finish waits to be superseded, confirmed or made final
	callEnding                    // the outcome is decided; the call ends once no operation runs
	callUnread                    // a finish decided it, unread: the caller's next status, or the grace's end, ends it
	callEnded                     // PostCall is claimed; later inputs are ignored
)

// opResult is what an operation's return says about the call.
type opResult uint8

const (
	// opNeutral says nothing: Header and CloseSend without error, SendMsg's io.EOF.
	opNeutral opResult = iota
	// opProgress: a message went through, so the stream the caller uses is alive and any
	// tentative finish was of a stream an inner interceptor threw away.
	opProgress
	// opObserved: the caller got the call's status (err; nil for OK).
	opObserved
	// opSendFailed: SendMsg returned a status (err), as grpc-go does when the client itself
	// ended the stream. A RecvMsg after it may return another status (the one that came in
	// from the server): if the caller reads one, that one is the call's.
	opSendFailed
)

// callAction is what the adapter must do after an input.
type callAction uint8

const (
	actNone  callAction = iota
	actEnd              // run PostCall with the call's err, now; the call is ended
	actWatch            // start watching the caller's context (contextDone when it ends)
	actGrace            // (re)arm the grace for an unread finish (graceOver when it ends)
)

// begin counts an operation in. It reports false when the call has ended: the operation then
// runs unreported.
func (c *clientCall) begin() bool {
	if c.state == callEnded {
		return false
	}
	c.ops++
	return true
}

// end counts an operation out with what its return says.
func (c *clientCall) end(r opResult, err error) callAction {
	c.ops--
	switch {
	case c.state == callEnded:
		return actNone
	case r == opObserved && !c.observed:
		c.state, c.err, c.observed = callEnding, err, true
	case r == opProgress && c.state == callPending:
		c.state, c.err, c.stale = callOpen, nil, true
	case r == opSendFailed && !c.observed:
		c.state, c.err, c.confirmed = callEnding, err, false
	case c.state == callUnread:
		// The caller is still reading (a buffered message, Header, CloseSend): the grace
		// starts again from its last operation.
		if r == opProgress && c.confirmed {
			c.err, c.confirmed = c.ctxErr, false
		}
		if c.ops == 0 {
			return actGrace
		}
		return actNone
	}
	return c.next()
}

// finish is grpc-go's OnFinish for one of the call's streams. final says it came while the
// caller's context was done or the connection shutting down: every stream of the call is then
// finished. Any other finish is tentative.
func (c *clientCall) finish(err error, final bool) callAction {
	switch c.state {
	case callCreating:
		if final && !c.heldFinal {
			c.err, c.heldFinal = err, true
		} else if !final {
			c.stale = true
		}
		return actNone
	case callOpen, callPending:
		if final {
			c.state, c.err = callEnding, err
		} else {
			c.state, c.err = callPending, err
		}
	}
	return c.next()
}

// created is the streamer's return: err, or a stream (err == nil).
func (c *clientCall) created(err error) callAction {
	switch {
	case err != nil:
		c.state, c.err, c.observed = callEnding, err, true
	case c.heldFinal:
		c.state = callEnding
	default:
		c.state, c.err = callOpen, nil
	}
	c.heldFinal = false
	return c.next()
}

// contextDone is the watch firing: the caller's context has ended, with the status err
// (CANCELLED or DEADLINE_EXCEEDED). Every stream of the call is then finished or about to be:
// a pending finish is final, and a call that superseded one ends with err, what grpc-go
// finishes a live stream with when the context ends.
func (c *clientCall) contextDone(err error) callAction {
	c.ctxErr = err
	return c.next()
}

// graceOver is the end of the grace armed for an unread finish: the caller read no status in
// time, so the call ends with the finish's. An operation still running will re-arm it.
func (c *clientCall) graceOver() callAction {
	if c.state != callUnread || c.ops > 0 {
		return actNone
	}
	c.state = callEnded
	return actEnd
}

// next applies the rules that hold in every state: once the caller's context is done, an
// idle call that saw a tentative finish is decided; a decided call ends when no operation
// runs, at once if the caller observed its status, else after the grace (callUnread); an idle
// call that saw a tentative finish needs the context watched.
func (c *clientCall) next() callAction {
	idle := c.ops == 0
	unsure := c.state == callPending || (c.state == callOpen && c.stale)
	if idle && unsure && c.ctxErr != nil {
		if c.state == callOpen {
			c.err = c.ctxErr
		}
		c.confirmed = c.state == callPending
		c.state = callEnding
	}
	switch {
	case c.state == callEnding && idle && c.observed:
		c.state = callEnded
		return actEnd
	case c.state == callEnding && idle:
		// grpc-go may have finished the stream with one status while the caller's next
		// RecvMsg returns another (trailers in before the cancel that finished it).
		c.state = callUnread
		return actGrace
	case unsure && idle && !c.watching:
		c.watching = true
		return actWatch
	}
	return actNone
}

package firstlaw_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
)

// callsPerRound is how many calls share a round's server and connection, started together.
const callsPerRound = 8

// refuseAll makes every attempt of a call refused: its retries run out.
const refuseAll = 99

// callKind is one of the four kinds of call, by the DemoService method that has it.
type callKind string

const (
	kindUnary        callKind = "Echo"
	kindServerStream callKind = "ServerStream"
	kindClientStream callKind = "ClientStream"
	kindBidi         callKind = "Chat"
)

var allKinds = []callKind{kindUnary, kindServerStream, kindClientStream, kindBidi}

// actionKind is what the caller does to its own call.
type actionKind string

const (
	actNone = actionKind("none")
	// actCancelAfterRecv cancels in the receive loop, after n messages received, and reads on.
	actCancelAfterRecv = actionKind("cancel after recv")
	// actCancelAfterSend cancels in the send loop, after n messages sent, and goes on.
	actCancelAfterSend = actionKind("cancel after send")
	// actCancelLater cancels from another goroutine, after d.
	actCancelLater = actionKind("cancel from another goroutine")
	// actDeadline gives the call a deadline of d.
	actDeadline = actionKind("deadline")
	// actAbandonAfterRecv stops using the stream after n messages received, then cancels it:
	// the caller never reads a status.
	actAbandonAfterRecv = actionKind("abandon after recv")
	// actAbandonAfterSend stops using the stream after n messages sent, then cancels it.
	actAbandonAfterSend = actionKind("abandon after send")
)

// actionsOf are the actions that make sense for each kind of call.
var actionsOf = map[callKind][]actionKind{
	kindUnary:        {actCancelLater, actDeadline},
	kindServerStream: {actCancelAfterRecv, actCancelLater, actDeadline, actAbandonAfterRecv},
	kindClientStream: {actCancelAfterSend, actCancelLater, actDeadline, actAbandonAfterSend},
	kindBidi:         {actCancelAfterRecv, actCancelAfterSend, actCancelLater, actDeadline, actAbandonAfterRecv},
}

// disruptionKind is what happens to a round's server or connection while its calls run.
type disruptionKind string

const (
	disNone         = disruptionKind("none")
	disStop         = disruptionKind("server Stop")
	disGracefulStop = disruptionKind("server GracefulStop")
	disRestart      = disruptionKind("server Stop, then restarted on the same port")
	disCloseConn    = disruptionKind("ClientConn.Close")
)

// chaosCall is one call of a round, as the seeded generator chose it.
type chaosCall struct {
	index    int // in the whole run, from 0
	kind     callKind
	messages int           // messages sent (client and bidi streams) or asked for (server streams)
	delayMS  int64         // the handler's wait per message
	failCode codes.Code    // the handler's code once its messages are done; never a retried one
	refuse   int           // attempts refused (UNAVAILABLE, trailers-only) before the handler runs
	wait     bool          // grpc.WaitForReady(true)
	start    time.Duration // after the round starts
	action   actionKind
	n        int           // messages before the action (cancel after n, abandon after n)
	after    time.Duration // the action's delay (cancel from another goroutine, deadline)
}

func (c chaosCall) String() string {
	s := fmt.Sprintf("call %d: %s, %d messages, delay %dms, fail_code %s, refused attempts %d, wait-for-ready %v, starts at %v, action %q",
		c.index, c.kind, c.messages, c.delayMS, c.failCode, c.refuse, c.wait, c.start, c.action)
	switch c.action {
	case actCancelAfterRecv, actCancelAfterSend, actAbandonAfterRecv, actAbandonAfterSend:
		s += fmt.Sprintf(" after %d messages", c.n)
	case actCancelLater, actDeadline:
		s += fmt.Sprintf(" after %v", c.after)
	}
	return s
}

// abandoned says the caller never reads the call's status: its code is the one grpc-go
// finished the stream with (grpc.OnFinish).
func (c chaosCall) abandoned() bool {
	return c.action == actAbandonAfterRecv || c.action == actAbandonAfterSend
}

// chaosRound is calls on one server and one connection, with what happens to them.
type chaosRound struct {
	index int
	// goaway, if set, makes the server send GOAWAY to every connection older than
	// MaxConnectionAge and close it MaxConnectionAgeGrace later.
	goaway *keepalive.ServerParameters
	// retryPolicy sets a service config retrying UNAVAILABLE up to 3 attempts; mwRetry
	// chains go-grpc-middleware's retry interceptors (3 attempts, on UNAVAILABLE) inside the
	// stack, for unary calls and server streams.
	retryPolicy, mwRetry bool
	// downFor, if set, is how long the server is down when the calls start.
	downFor time.Duration
	// disruption happens disruptAt after the round starts; a restarted server is down for
	// downFor.
	disruption disruptionKind
	disruptAt  time.Duration
	calls      []chaosCall
}

func (r chaosRound) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "round %d: retry policy %v, go-grpc-middleware retry %v, ", r.index, r.retryPolicy, r.mwRetry)
	if r.goaway != nil {
		fmt.Fprintf(&b, "GOAWAY (MaxConnectionAge %v, grace %v), ", r.goaway.MaxConnectionAge, r.goaway.MaxConnectionAgeGrace)
	}
	if r.downFor > 0 && r.disruption != disRestart {
		fmt.Fprintf(&b, "server down for %v at the start, ", r.downFor)
	}
	fmt.Fprintf(&b, "disruption %q", r.disruption)
	if r.disruption != disNone {
		fmt.Fprintf(&b, " at %v", r.disruptAt)
	}
	if r.disruption == disRestart {
		fmt.Fprintf(&b, ", down for %v", r.downFor)
	}
	for _, c := range r.calls {
		b.WriteString("\n\t" + c.String())
	}
	return b.String()
}

// timingDecided says whether when things happen, and not only what the round does, may decide
// the call's outcome: then the bare and instrumented runs may legitimately differ.
func (r chaosRound) timingDecided(c chaosCall) bool {
	return c.action != actNone || r.goaway != nil || r.downFor > 0 || r.disruption != disNone || r.sendRace(c)
}

// sendRace says whether grpc-go itself may end the call with UNKNOWN: when the retry policy
// runs out during a client-streaming call's Send (the refused attempt's stream is over, so the
// Send fails with io.EOF), grpc-go ends the call with "max retries exhausted: failed after N
// attempts: EOF", UNKNOWN; when it runs out during CloseAndRecv or Recv, with the refusal's
// UNAVAILABLE. Which of the two comes first is timing.
func (r chaosRound) sendRace(c chaosCall) bool {
	return r.retryPolicy && c.refuse > 0 && (c.kind == kindClientStream || c.kind == kindBidi)
}

// mwRetries says whether go-grpc-middleware's retry interceptor retries the call: it retries
// unary calls and server streams, and is disabled on the others and on abandoned calls (whose
// code is the one grpc-go finished their only stream with).
func (r chaosRound) mwRetries(c chaosCall) bool {
	return r.mwRetry && (c.kind == kindUnary || c.kind == kindServerStream) && !c.abandoned()
}

// planRounds draws the rounds of a run of calls calls from seed: the same seed and number of
// calls give the same rounds.
func planRounds(seed uint64, calls int) []chaosRound {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var rounds []chaosRound
	for first := 0; first < calls; first += callsPerRound {
		r := planRound(rng, len(rounds))
		for i := first; i < min(first+callsPerRound, calls); i++ {
			r.calls = append(r.calls, planCall(rng, r, i))
		}
		rounds = append(rounds, r)
	}
	return rounds
}

func ms(rng *rand.Rand, lo, hi int) time.Duration {
	return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Millisecond
}

func planRound(rng *rand.Rand, index int) chaosRound {
	r := chaosRound{index: index, retryPolicy: rng.IntN(2) == 0, mwRetry: rng.IntN(5) < 2, disruption: disNone}
	if rng.IntN(100) < 15 {
		r.goaway = &keepalive.ServerParameters{MaxConnectionAge: ms(rng, 20, 150), MaxConnectionAgeGrace: ms(rng, 10, 300)}
	}
	if rng.IntN(100) < 10 {
		r.downFor = ms(rng, 1, 60)
	}
	if rng.IntN(100) < 35 {
		r.disruption = []disruptionKind{disStop, disGracefulStop, disRestart, disCloseConn}[rng.IntN(4)]
		r.disruptAt = ms(rng, 0, 80)
		if r.disruption == disRestart {
			r.downFor = ms(rng, 0, 40)
		}
	}
	return r
}

func planCall(rng *rand.Rand, r chaosRound, index int) chaosCall {
	c := chaosCall{
		index:    index,
		kind:     allKinds[rng.IntN(len(allKinds))],
		messages: 1 + rng.IntN(4),
		start:    ms(rng, 0, 30),
		action:   actNone,
	}
	if rng.IntN(5) < 3 {
		c.delayMS = int64(1 + rng.IntN(15))
	}
	if c.kind == kindUnary {
		c.messages = 1
	}
	if rng.IntN(4) == 0 {
		// Any code but OK and the ones the retry interceptor retries, which would make it
		// receive a server stream's messages again.
		c.failCode = []codes.Code{codes.Canceled, codes.Unknown, codes.InvalidArgument, codes.DeadlineExceeded,
			codes.NotFound, codes.AlreadyExists, codes.PermissionDenied, codes.FailedPrecondition, codes.Aborted,
			codes.OutOfRange, codes.Unimplemented, codes.Internal, codes.DataLoss, codes.Unauthenticated}[rng.IntN(14)]
	}
	switch p := rng.IntN(10); {
	case p < 2:
		c.refuse = 1
	case p < 3:
		c.refuse = refuseAll
	}
	// Wait for ready only where the server comes (back) up: a call waiting for a server that
	// was stopped for good would wait for the test's timeout.
	if r.disruption != disStop && r.disruption != disGracefulStop {
		c.wait = rng.IntN(3) == 0
	}
	if rng.IntN(100) < 55 {
		actions := actionsOf[c.kind]
		c.action = actions[rng.IntN(len(actions))]
		c.n = rng.IntN(c.messages + 1)
		c.after = ms(rng, 1, 50)
	}
	return c
}

package reliability_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestSoak makes -soak.calls calls of all four kinds through the whole stack on both sides,
// eight at a time: 10% fail with codes from 1 to 16; of the streams, 2% are cancelled
// mid-stream and then read their status, and 2% are cancelled mid-stream and abandoned
// without ever reading it. Each call carries its number as baggage, so every span and log
// line names the call it belongs to. Afterwards, exactly: one server span, one client span, one
// server and one client log line per call, each with the call's code; the handled counters of
// both sides equal the calls made, per method and code; the in-flight gauges are 0; the
// goroutines are those there were before the calls; the live heap has not grown past a bound
// that does not depend on the number of calls.
//
// A call cancelled mid-stream ends with CANCELED on both sides, and the server's CANCELED is
// grpc-go's, not the demo's: the client cancels while the server is blocked inside the call
// (see holds), so the server's next Send or Recv is what fails.
func TestSoak(t *testing.T) {
	n := *soakCalls
	const workers, warmUp = 8, 8
	if n < warmUp {
		t.Fatalf("-soak.calls=%d: the soak needs at least %d calls", n, warmUp)
	}
	plans := make([]callPlan, n)
	for i := range plans {
		plans[i] = planFor(i)
	}
	tallies := newSoakTallies(n)
	held := &holds{calls: map[int]*heldCall{}}
	s := startStack(t, stackConfig{
		serverTracing: []tracing.Option{tracing.WithBaggageAttributes(callMember)},
		clientTracing: []tracing.Option{tracing.WithBaggageAttributes(callMember)},
		serverLogging: []logging.Option{logging.WithBaggageFields(callMember)},
		clientLogging: []logging.Option{logging.WithBaggageFields(callMember)},
		spans:         tallies,
		serverLines:   tallies.logLine,
		clientLines:   tallies.logLine,
		hook:          held.hook,
	})
	client := s.Demo()
	ctx := testContext(t)

	var (
		mu       sync.Mutex
		failures []string
	)
	run := func(i int) {
		if err := plans[i].run(withCallNumber(ctx, i), client, held, i); err != nil {
			mu.Lock()
			failures = append(failures, fmt.Sprintf("call %d (%v): %v", i, plans[i], err))
			mu.Unlock()
		}
	}
	// The first calls open the connection and fill the pools, before the baselines.
	for i := range warmUp {
		run(i)
	}
	eventually(t, func() bool { return tallies.reported() == 4*warmUp && inFlight(t, s.Registry) == 0 }, tallies.progress)
	goroutinesBefore, leakBaseline := runtime.NumGoroutine(), goleak.IgnoreCurrent()
	heapBefore := testsrv.HeapAfterGC()

	begin := time.Now()
	next := atomic.Int64{}
	next.Store(warmUp)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				run(i)
			}
		})
	}
	wg.Wait()
	eventually(t, func() bool { return tallies.complete() && inFlight(t, s.Registry) == 0 }, func() string {
		return fmt.Sprintf("%s; %v calls in flight", tallies.progress(), inFlight(t, s.Registry))
	})
	elapsed := time.Since(begin)
	for _, f := range failures[:min(len(failures), 10)] {
		t.Error(f)
	}
	if len(failures) > 0 {
		t.Errorf("%d of %d calls did not go as planned", len(failures), n)
	}

	tallies.check(t, plans)
	checkHandledCounters(t, s, plans)
	for _, side := range []string{"server", "client"} {
		for series, v := range values(t, s.Registry, "grpc_"+side+"_in_flight") {
			if v != 0 {
				t.Errorf("grpc_%s_in_flight%s = %v after every call ended, want 0", side, series, v)
			}
		}
	}

	eventually(t, func() bool { return runtime.NumGoroutine() <= goroutinesBefore }, func() string {
		return fmt.Sprintf("%d goroutines, %d before the calls", runtime.NumGoroutine(), goroutinesBefore)
	})
	goroutinesAfter := runtime.NumGoroutine()
	goleak.VerifyNone(t, leakBaseline)

	// Nothing the stack keeps grows with the number of calls: the bound is the same for 10,000
	// calls as for 100,000 (docs/RELIABILITY.md has the measurements it is set from).
	const maxHeapGrowth = 1 << 20
	heapAfter := testsrv.HeapAfterGC()
	t.Logf("%d calls (%d failing, %d cancelled, %d abandoned) in %v: goroutines %d before, %d after; live heap %d bytes before, %d after (%+d)",
		n, countPlans(plans, fails), countPlans(plans, cancelled), countPlans(plans, abandoned), elapsed.Round(time.Millisecond),
		goroutinesBefore, goroutinesAfter, heapBefore, heapAfter, heapAfter-heapBefore)
	if growth := heapAfter - heapBefore; growth > maxHeapGrowth {
		t.Errorf("the live heap grew by %d bytes over %d calls, want at most %d", growth, n, maxHeapGrowth)
	}
}

// callMember is the baggage member that carries a call's number.
const callMember = "call"

// withCallNumber returns ctx with call i's number as its baggage. A member with a valid key
// and a decimal value makes valid baggage: the errors cannot happen.
func withCallNumber(ctx context.Context, i int) context.Context {
	m, _ := baggage.NewMemberRaw(callMember, strconv.Itoa(i))
	b, _ := baggage.New(m)
	return baggage.ContextWithBaggage(ctx, b)
}

// callNumber is the number of the call ctx belongs to, or -1.
func callNumber(ctx context.Context) int {
	n, err := strconv.Atoi(baggage.FromContext(ctx).Member(callMember).Value())
	if err != nil {
		return -1
	}
	return n
}

// The four methods of the demo, in the order callPlan.kind counts them.
var soakMethods = [...]struct {
	name string
	typ  interceptors.GRPCType
}{
	{"Echo", interceptors.Unary},
	{"ServerStream", interceptors.ServerStream},
	{"ClientStream", interceptors.ClientStream},
	{"Chat", interceptors.BidiStream},
}

type outcome uint8

const (
	succeeds  outcome = iota
	fails             // the server ends the call with the plan's code
	cancelled         // the client cancels mid-stream, then reads the status
	abandoned         // the client cancels mid-stream and never reads the status
)

func (o outcome) String() string {
	return [...]string{"succeeds", "fails", "cancelled", "abandoned"}[o]
}

// callPlan is what one call of the soak does, and the code both sides must report for it.
type callPlan struct {
	kind    int // index into soakMethods
	outcome outcome
	code    codes.Code
}

func (p callPlan) String() string {
	return fmt.Sprintf("%s %s %v", soakMethods[p.kind].name, p.outcome, p.code)
}

// planFor spreads the outcomes evenly: the kinds take turns, and of every 50 calls of a kind,
// 5 fail (with codes 1 to 16 in turn), and, for streams, one is cancelled and one abandoned.
func planFor(i int) callPlan {
	p := callPlan{kind: i % len(soakMethods), code: codes.OK}
	slot := (i / len(soakMethods)) % 50
	round := i / len(soakMethods) / 50
	switch {
	case slot < 5:
		p.outcome, p.code = fails, codes.Code(1+(5*round+slot)%16)
	case slot == 5 && p.kind != 0:
		p.outcome, p.code = cancelled, codes.Canceled
	case slot == 6 && p.kind != 0:
		p.outcome, p.code = abandoned, codes.Canceled
	}
	return p
}

func countPlans(plans []callPlan, o outcome) int {
	n := 0
	for _, p := range plans {
		if p.outcome == o {
			n++
		}
	}
	return n
}

// holdMessage asks the server, through holds.hook, to block at the call's second message.
const holdMessage = "hold"

// holds lets a client cancel a stream at a known point: while the server is blocked inside
// the call. The demo handlers run the hook once per message; for a call whose messages say
// holdMessage, the hook lets the first through and blocks the second until the call's
// context ends, after telling the client.
type holds struct {
	mu    sync.Mutex
	calls map[int]*heldCall
}

type heldCall struct {
	seen    int
	blocked chan struct{}
}

// expect registers call i, before it starts; the channel closes once the server is blocked.
func (h *holds) expect(i int) <-chan struct{} {
	c := &heldCall{blocked: make(chan struct{})}
	h.mu.Lock()
	h.calls[i] = c
	h.mu.Unlock()
	return c.blocked
}

func (h *holds) hook(ctx context.Context, _, message string) (context.Context, func(error)) {
	if message == holdMessage {
		i := callNumber(ctx)
		h.mu.Lock()
		c := h.calls[i]
		block := false
		if c != nil {
			c.seen++
			if block = c.seen == 2; block {
				delete(h.calls, i)
			}
		}
		h.mu.Unlock()
		if block {
			close(c.blocked)
			<-ctx.Done()
		}
	}
	return ctx, func(error) {}
}

// run makes the call and checks the code the caller sees. An abandoned call's caller sees
// nothing: it never reads.
func (p callPlan) run(ctx context.Context, client demov1.DemoServiceClient, held *holds, i int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := soakCall{plan: p, client: client, message: "soak", cancel: cancel}
	if p.outcome == cancelled || p.outcome == abandoned {
		c.message, c.blocked, c.deadline = holdMessage, held.expect(i), ctx.Done()
	}
	var err error
	switch p.kind {
	case 0:
		_, err = client.Echo(ctx, &demov1.EchoRequest{Message: c.message, FailCode: int32(c.failCode())})
	case 1:
		err = c.serverStream(ctx)
	case 2:
		err = c.clientStream(ctx)
	case 3:
		err = c.chat(ctx)
	}
	want := p.code
	if p.outcome == abandoned {
		want = codes.OK
	}
	if got := status.Code(err); got != want {
		return fmt.Errorf("the caller got %v, want %v", err, want)
	}
	return nil
}

// soakCall is one call in progress.
type soakCall struct {
	plan    callPlan
	client  demov1.DemoServiceClient
	message string
	cancel  context.CancelFunc
	// For held calls: closed when the server is blocked, and the end of the test's patience.
	blocked, deadline <-chan struct{}
}

func (c *soakCall) failCode() codes.Code {
	if c.plan.outcome == fails {
		return c.plan.code
	}
	return codes.OK
}

// cancelHeld waits until the server is blocked in the call, then cancels it.
func (c *soakCall) cancelHeld() error {
	select {
	case <-c.blocked:
		c.cancel()
		return nil
	case <-c.deadline:
		return errors.New("the server never blocked in the held call")
	}
}

func (c *soakCall) serverStream(ctx context.Context) error {
	count := int32(3)
	if c.blocked != nil {
		count = 2 // the first response goes out, the server blocks before the second
	}
	stream, err := c.client.ServerStream(ctx, &demov1.ServerStreamRequest{Message: c.message, Count: count, FailCode: int32(c.failCode())})
	if err != nil {
		return err
	}
	switch c.plan.outcome {
	case abandoned:
		return c.cancelHeld()
	case cancelled:
		if _, err := stream.Recv(); err != nil {
			return err
		}
		if err := c.cancelHeld(); err != nil {
			return err
		}
	}
	return drain(stream.Recv)
}

func (c *soakCall) clientStream(ctx context.Context) error {
	stream, err := c.client.ClientStream(ctx)
	if err != nil {
		return err
	}
	messages := 3
	switch c.plan.outcome {
	case fails:
		messages = 1 // the server fails on it
	case cancelled, abandoned:
		messages = 2 // the server blocks on the second
	}
	for range messages {
		if err := stream.Send(&demov1.ClientStreamRequest{Message: c.message, FailCode: int32(c.failCode())}); err != nil {
			return err
		}
	}
	switch c.plan.outcome {
	case abandoned:
		return c.cancelHeld()
	case cancelled:
		if err := c.cancelHeld(); err != nil {
			return err
		}
	}
	_, err = stream.CloseAndRecv()
	return err
}

func (c *soakCall) chat(ctx context.Context) error {
	stream, err := c.client.Chat(ctx)
	if err != nil {
		return err
	}
	send := func() error {
		return stream.Send(&demov1.ChatRequest{Message: c.message, FailCode: int32(c.failCode())})
	}
	switch c.plan.outcome {
	case fails:
		if err := send(); err != nil {
			return err
		}
		return drain(stream.Recv)
	case abandoned:
		if err := send(); err != nil {
			return err
		}
		if err := send(); err != nil {
			return err
		}
		return c.cancelHeld()
	case cancelled:
		if err := send(); err != nil {
			return err
		}
		if _, err := stream.Recv(); err != nil {
			return err
		}
		if err := send(); err != nil {
			return err
		}
		if err := c.cancelHeld(); err != nil {
			return err
		}
		return drain(stream.Recv)
	}
	for range 3 {
		if err := send(); err != nil {
			return err
		}
		if _, err := stream.Recv(); err != nil {
			return err
		}
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	return drain(stream.Recv)
}

// soakTallies records what every signal reported for every call, without keeping the spans or
// the lines: it is the soak's span processor and the log sinks' line handler.
type soakTallies struct {
	serverSpans, clientSpans, serverLines, clientLines *tally
	// strays are reports that name no call of the soak, or are not what the soak expects.
	mu     sync.Mutex
	strays []string
}

var _ sdktrace.SpanProcessor = (*soakTallies)(nil)

func newSoakTallies(n int) *soakTallies {
	return &soakTallies{
		serverSpans: newTally("server span", n),
		clientSpans: newTally("client span", n),
		serverLines: newTally("server log line", n),
		clientLines: newTally("client log line", n),
	}
}

func (s *soakTallies) stray(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.strays) < 10 {
		s.strays = append(s.strays, fmt.Sprintf(format, args...))
	} else if len(s.strays) == 10 {
		s.strays = append(s.strays, "…")
	}
}

func (s *soakTallies) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (s *soakTallies) Shutdown(context.Context) error                  { return nil }
func (s *soakTallies) ForceFlush(context.Context) error                { return nil }

// OnEnd tallies a span by the call number and the code its attributes carry.
func (s *soakTallies) OnEnd(span sdktrace.ReadOnlySpan) {
	var call, code string
	for _, kv := range span.Attributes() {
		switch kv.Key {
		case "baggage." + callMember:
			call = kv.Value.AsString()
		case "rpc.response.status_code":
			code = kv.Value.AsString()
		}
	}
	var c codes.Code
	if err := c.UnmarshalJSON([]byte(strconv.Quote(code))); err != nil {
		s.stray("%v span %q of call %q has the code %q", span.SpanKind(), span.Name(), call, code)
		return
	}
	switch span.SpanKind() {
	case trace.SpanKindServer:
		s.report(s.serverSpans, call, c)
	case trace.SpanKindClient:
		s.report(s.clientSpans, call, c)
	default:
		s.stray("%v span %q of call %q", span.SpanKind(), span.Name(), call)
	}
}

// logCodes maps the codes' names in log lines (grpc-go's String) back to codes.
var logCodes = func() map[string]codes.Code {
	m := map[string]codes.Code{}
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		m[c.String()] = c
	}
	return m
}()

// logLine tallies a log line by the call number and the code it carries. Every line must be a
// call's finish line.
func (s *soakTallies) logLine(line []byte) {
	var l struct {
		Msg       string `json:"msg"`
		Component string `json:"grpc.component"`
		Code      string `json:"grpc.code"`
		Call      string `json:"baggage.call"`
	}
	if err := json.Unmarshal(line, &l); err != nil {
		s.stray("log line that is not JSON (%v): %q", err, line)
		return
	}
	c, ok := logCodes[l.Code]
	if l.Msg != "finished call" || !ok {
		s.stray("log line that is not a finish line with a code: %s", line)
		return
	}
	switch l.Component {
	case "server":
		s.report(s.serverLines, l.Call, c)
	case "client":
		s.report(s.clientLines, l.Call, c)
	default:
		s.stray("log line of component %q: %s", l.Component, line)
	}
}

func (s *soakTallies) report(t *tally, call string, code codes.Code) {
	i, err := strconv.Atoi(call)
	if err != nil || i < 0 || i >= len(t.codes) {
		s.stray("%s of call %q, which is not a call of the soak", t.name, call)
		return
	}
	t.report(i, code)
}

func (s *soakTallies) all() []*tally {
	return []*tally{s.serverSpans, s.clientSpans, s.serverLines, s.clientLines}
}

// reported is the number of reports so far, all signals and sides together.
func (s *soakTallies) reported() int {
	n := 0
	for _, t := range s.all() {
		n += t.count()
	}
	return n
}

func (s *soakTallies) complete() bool {
	for _, t := range s.all() {
		if t.count() < len(t.codes) {
			return false
		}
	}
	return true
}

func (s *soakTallies) progress() string {
	var parts []string
	for _, t := range s.all() {
		parts = append(parts, fmt.Sprintf("%d of %d %ss", t.count(), len(t.codes), t.name))
	}
	return strings.Join(parts, ", ")
}

// check compares every call's reports with its plan, and reports strays.
func (s *soakTallies) check(t *testing.T, plans []callPlan) {
	t.Helper()
	s.mu.Lock()
	for _, stray := range s.strays {
		t.Errorf("stray report: %s", stray)
	}
	s.mu.Unlock()
	for _, tl := range s.all() {
		tl.check(t, plans)
	}
}

// tally is what one signal on one side reported for each call: its code, exactly once.
type tally struct {
	name string

	mu         sync.Mutex
	codes      []int8 // -1 until reported
	reported   int
	duplicates int
}

func newTally(name string, n int) *tally {
	t := &tally{name: name, codes: make([]int8, n)}
	for i := range t.codes {
		t.codes[i] = -1
	}
	return t
}

func (t *tally) report(i int, code codes.Code) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.codes[i] >= 0 {
		t.duplicates++
		return
	}
	t.codes[i] = int8(code)
	t.reported++
}

func (t *tally) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.reported
}

// check fails the test for every call that got no report, more than one, or one with another
// code than planned; mismatches are summed up by plan and code.
func (t *tally) check(tb *testing.T, plans []callPlan) {
	tb.Helper()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.duplicates > 0 {
		tb.Errorf("%d calls got more than one %s", t.duplicates, t.name)
	}
	mismatches := map[string]int{}
	for i, p := range plans {
		switch got := t.codes[i]; {
		case got < 0:
			mismatches[fmt.Sprintf("%v: no %s", p, t.name)]++
		case codes.Code(got) != p.code:
			mismatches[fmt.Sprintf("%v: %s with %v", p, t.name, codes.Code(got))]++
		}
	}
	for _, m := range slices.Sorted(maps.Keys(mismatches)) {
		tb.Errorf("%d calls planned as %s", mismatches[m], m)
	}
}

// checkHandledCounters compares both sides' handled and started counters with the calls made,
// per method and code.
func checkHandledCounters(t *testing.T, s *stack, plans []callPlan) {
	t.Helper()
	handled, started := map[string]float64{}, map[string]float64{}
	for _, p := range plans {
		m := soakMethods[p.kind]
		labels := map[string]string{"grpc_type": string(m.typ), "grpc_service": demoService, "grpc_method": m.name}
		started[labelsKey(labels)]++
		labels["grpc_code"] = p.code.String()
		handled[labelsKey(labels)]++
	}
	for _, side := range []string{"server", "client"} {
		if diff := cmp.Diff(handled, nonZero(t, s.Registry, "grpc_"+side+"_handled_total")); diff != "" {
			t.Errorf("grpc_%s_handled_total differs from the calls made (-want +got):\n%s", side, diff)
		}
		if diff := cmp.Diff(started, nonZero(t, s.Registry, "grpc_"+side+"_started_total")); diff != "" {
			t.Errorf("grpc_%s_started_total differs from the calls made (-want +got):\n%s", side, diff)
		}
	}
}

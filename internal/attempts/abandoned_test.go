package attempts_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	shared "github.com/grpcobs/grpcobs/internal/attempts"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/firstlaw"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	otelcodes "go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
)

// grpc-go v1.85 creates an attempt and may replace it before making it: when a call's first
// attempt never got a stream, its replay buffer is empty, and withRetry creates another
// attempt right after the one retryLocked created (docs/DESIGN.md, "Attempt lifecycle").
// These tests drive that with real grpc-go, beside a plain counting stats handler, and check
// that every span grpcobs starts ends once, that every signal counts the attempts grpc-go
// made (those it ended: grpc-go ends every attempt it makes), and that previous-rpc-attempts
// is what the server saw.

// grpcCounter is a plain stats handler: it counts the client's Begin and End events.
type grpcCounter struct{ begins, ends atomic.Int32 }

func (c *grpcCounter) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (c *grpcCounter) HandleRPC(_ context.Context, s stats.RPCStats) {
	switch s.(type) {
	case *stats.Begin:
		c.begins.Add(1)
	case *stats.End:
		c.ends.Add(1)
	}
}
func (*grpcCounter) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (*grpcCounter) HandleConn(context.Context, stats.ConnStats)                       {}

// spanCounter counts the spans started, and keeps those ended.
type spanCounter struct {
	mu      sync.Mutex
	started int
	ended   []sdktrace.ReadOnlySpan
}

func (s *spanCounter) OnStart(context.Context, sdktrace.ReadWriteSpan) {
	s.mu.Lock()
	s.started++
	s.mu.Unlock()
}

func (s *spanCounter) OnEnd(span sdktrace.ReadOnlySpan) {
	s.mu.Lock()
	s.ended = append(s.ended, span)
	s.mu.Unlock()
}

func (*spanCounter) Shutdown(context.Context) error   { return nil }
func (*spanCounter) ForceFlush(context.Context) error { return nil }

// counts returns the spans started and ended, and the ended ones named prefix*.
func (s *spanCounter) counts(prefix string) (started, ended, named int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, span := range s.ended {
		if strings.HasPrefix(span.Name(), prefix) {
			named++
		}
	}
	return s.started, len(s.ended), named
}

// liveStack is grpcobs' whole client stack following attempts (tracing, Prometheus metrics,
// logging, A66 OpenTelemetry metrics), a server traced by the same provider, and grpc-go's
// own count of the attempts beside them.
type liveStack struct {
	spans   *spanCounter
	grpc    *grpcCounter
	obs     *firstlaw.Observers
	metrics *metrics.ClientMetrics
	otel    *otelmetrics.Client
	reader  *sdkmetric.ManualReader
	tp      *sdktrace.TracerProvider
}

func newLiveStack(t *testing.T) *liveStack {
	t.Helper()
	s := &liveStack{spans: &spanCounter{}, grpc: &grpcCounter{}, obs: firstlaw.NewObservers(), reader: sdkmetric.NewManualReader()}
	s.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(s.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(s.reader))
	t.Cleanup(func() {
		_ = s.tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	s.metrics = metrics.NewClientMetrics(metrics.WithAttempts())
	s.obs.Registry.MustRegister(s.metrics)
	s.otel = otelmetrics.NewClient(otelmetrics.WithMeterProvider(mp), otelmetrics.WithA66(), otelmetrics.WithAttempts())
	return s
}

// dialOptions are the client's: the stack, the counting handler, the service config, and
// fast reconnection.
func (s *liveStack) dialOptions(serviceConfig string) []grpc.DialOption {
	return append(interceptors.DialOptions(
		tracing.NewClient(tracing.WithTracerProvider(s.tp), tracing.WithAttemptSpans()),
		s.metrics,
		logging.NewClient(s.obs.ClientLogger),
		s.otel,
	), grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithStatsHandler(s.grpc),
		grpc.WithDefaultServiceConfig(serviceConfig),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.Config{BaseDelay: 10 * time.Millisecond, Multiplier: 1.2, MaxDelay: 50 * time.Millisecond}, MinConnectTimeout: time.Second}))
}

// serverOptions are the server's: tracing, and the check of grpc-previous-rpc-attempts.
func (s *liveStack) serverOptions(extra ...grpc.ServerOption) []grpc.ServerOption {
	return append(append(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(s.tp))),
		grpc.ChainUnaryInterceptor(seenUnary), grpc.ChainStreamInterceptor(seenStream)), extra...)
}

// serve serves the demo on lis until the test ends.
func serve(t *testing.T, lis net.Listener, opts ...grpc.ServerOption) {
	srv := grpc.NewServer(opts...)
	demov1.RegisterDemoServiceServer(srv, demo.NewService())
	var served sync.WaitGroup
	served.Go(func() { _ = srv.Serve(lis) })
	t.Cleanup(func() {
		srv.Stop()
		served.Wait()
	})
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()
	return addr
}

// expectConsistent waits until every span started has ended, then asserts that the attempt
// spans, grpc_client_attempts_total, the finished-call lines, and A66's started counter and
// duration histogram all count made attempts, as grpc-go's End events do; the other spans
// grpcobs started for attempts are abandoned ones, one per attempt grpc-go began and never
// ended. It returns grpc-go's counts.
func (s *liveStack) expectConsistent(t *testing.T, calls int) (begins, ends int) {
	t.Helper()
	begins, ends = int(s.grpc.begins.Load()), int(s.grpc.ends.Load())
	deadline := time.Now().Add(firstlaw.Timeout)
	for {
		started, ended, _ := s.spans.counts("")
		if started == ended || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(firstlaw.LateDuplicateWait)
	started, ended, attemptSpans := s.spans.counts("Attempt.")
	_, _, abandoned := s.spans.counts("AbandonedAttempt.")
	if started != ended {
		t.Errorf("%d spans started, %d ended", started, ended)
	}
	if attemptSpans != ends || abandoned != begins-ends {
		t.Errorf("%d attempt spans and %d abandoned ones; grpc-go began %d attempts and ended %d", attemptSpans, abandoned, begins, ends)
	}
	if got := sumCounter(t, s.obs, "grpc_client_attempts_total"); got != ends {
		t.Errorf("grpc_client_attempts_total sums to %d; grpc-go ended %d attempts", got, ends)
	}
	// Each finished-call line says how many attempts its call made when more than one (a
	// line without grpc.attempts is of a call of 0 or 1): its trace's attempt spans say the
	// same, and it lists a code for each failed one.
	perTrace := map[string]int{}
	s.spans.mu.Lock()
	for _, span := range s.spans.ended {
		if strings.HasPrefix(span.Name(), "Attempt.") {
			perTrace[span.SpanContext().TraceID().String()]++
		}
	}
	s.spans.mu.Unlock()
	lines := 0
	for _, e := range s.obs.ClientLog.AllEntries() {
		if e.Message != "finished call" {
			continue
		}
		lines++
		spans := perTrace[e.Data[logging.FieldTraceID].(string)]
		n, logged := e.Data[logging.FieldAttempts].(int)
		if (logged && n != spans) || (!logged && spans > 1) {
			t.Errorf("a finished-call line says grpc.attempts=%v; its trace has %d attempt spans", e.Data[logging.FieldAttempts], spans)
		}
		if codes, _ := e.Data[logging.FieldAttemptCodes].([]string); len(codes) > n {
			t.Errorf("a line lists %d attempt codes for %d attempts", len(codes), n)
		}
	}
	if lines != calls {
		t.Errorf("%d finished-call lines, want %d", lines, calls)
	}
	if got := a66Total(t, s.reader, attemptStarted); got != ends {
		t.Errorf("%s is %d; grpc-go ended %d attempts", attemptStarted, got, ends)
	}
	if got := a66Total(t, s.reader, attemptDuration); got != ends {
		t.Errorf("%s counts %d; grpc-go ended %d attempts", attemptDuration, got, ends)
	}
	return begins, ends
}

// sumCounter sums every series of the counter family named.
func sumCounter(t *testing.T, obs *firstlaw.Observers, family string) int {
	t.Helper()
	mfs, err := obs.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() == family {
			for _, m := range mf.GetMetric() {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return int(total)
}

// a66Total is the sum of a counter's points, or of a histogram's counts.
func a66Total(t *testing.T, reader *sdkmetric.ManualReader, name string) int {
	t.Helper()
	total := 0
	for _, p := range readPoints(t, reader, name, "") {
		total += int(p.Count)
	}
	return total
}

// Nothing listens at the target: each attempt fails to pick a connection, so no stream ever
// exists, and each retry begins an attempt grpc-go abandons at once. With maxAttempts 5,
// grpc-go begins 9 attempts and ends 5.
func TestNothingListening(t *testing.T) {
	s := newLiveStack(t)
	conn, err := grpc.NewClient(freeAddr(t), s.dialOptions(shared.RetryPolicy(5, "0.01s", 1, ""))...)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = demov1.NewDemoServiceClient(conn).Echo(testContext(t), &demov1.EchoRequest{})
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("Echo = %v, want UNAVAILABLE", err)
	}
	begins, ends := s.expectConsistent(t, 1)
	if begins != 9 || ends != 5 {
		t.Errorf("grpc-go began %d attempts and ended %d; want 9 and 5", begins, ends)
	}
	// An abandoned attempt's span is marked, and has no code and no status.
	s.spans.mu.Lock()
	defer s.spans.mu.Unlock()
	for _, span := range s.spans.ended {
		if !strings.HasPrefix(span.Name(), "AbandonedAttempt.") {
			continue
		}
		marked := false
		for _, kv := range span.Attributes() {
			switch kv.Key {
			case "grpcobs.attempt.abandoned":
				marked = kv.Value.AsBool()
			case "rpc.response.status_code", "error.type":
				t.Errorf("abandoned attempt span %q has %s", span.Name(), kv.Key)
			}
		}
		if !marked || span.Status().Code != otelcodes.Unset || span.SpanKind() != trace.SpanKindClient {
			t.Errorf("abandoned attempt span %q: marked %v, status %v, kind %v; want marked, unset, client", span.Name(), marked, span.Status().Code, span.SpanKind())
		}
	}
}

// The server comes up while the call retries: the attempt that reaches it carries the
// grpc-previous-rpc-attempts the server saw (the world's check, checkSeen), though grpc-go
// began more attempts before it than it made.
func TestServerComesUpMidRetries(t *testing.T) {
	s := newLiveStack(t)
	addr := freeAddr(t)
	conn, err := grpc.NewClient(addr, s.dialOptions(shared.RetryPolicy(5, "0.2s", 1, ""))...)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	done := make(chan error, 1)
	go func() {
		_, err := demov1.NewDemoServiceClient(conn).Echo(testContext(t), &demov1.EchoRequest{})
		done <- err
	}()
	for s.grpc.ends.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s again: %v", addr, err)
	}
	serve(t, lis, s.serverOptions()...)
	if err := <-done; err != nil {
		t.Fatalf("Echo = %v, want OK once the server is up", err)
	}
	begins, ends := s.expectConsistent(t, 1)
	if begins <= ends || ends < 3 {
		t.Errorf("grpc-go began %d attempts and ended %d; want more begun than ended, and at least 3 ended", begins, ends)
	}
	// The server span's parent is the attempt span that reached it, with the server's
	// grpc-previous-rpc-attempts.
	s.spans.mu.Lock()
	defer s.spans.mu.Unlock()
	byID := map[string]sdktrace.ReadOnlySpan{}
	for _, span := range s.spans.ended {
		byID[span.SpanContext().SpanID().String()] = span
	}
	servers := 0
	for _, span := range s.spans.ended {
		if parent, ok := byID[span.Parent().SpanID().String()]; ok && span.SpanKind() == trace.SpanKindServer {
			servers++
			checkSeen(t, span, parent)
			if !strings.HasPrefix(parent.Name(), "Attempt.") {
				t.Errorf("the server span's parent is %q, want an attempt span", parent.Name())
			}
		}
	}
	if servers != 1 {
		t.Errorf("%d server spans under a client span, want 1", servers)
	}
}

// Under load, with connections the server closes every 30 ms (GOAWAY) and short deadlines,
// every span started ends, and every signal counts the attempts grpc-go made.
func TestGoAwayUnderLoad(t *testing.T) {
	s := newLiveStack(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serve(t, lis, s.serverOptions(grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionAge: 30 * time.Millisecond, MaxConnectionAgeGrace: 30 * time.Millisecond}))...)
	conn, err := grpc.NewClient(lis.Addr().String(), s.dialOptions(shared.RetryPolicy(5, "0.005s", 1, ""))...)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const callers, perCaller = 16, 1000
	stop := time.Now().Add(2 * time.Second)
	var calls atomic.Int32
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			c := demov1.NewDemoServiceClient(conn)
			for n := range perCaller {
				if time.Now().After(stop) {
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(10+(i*7+n)%40)*time.Millisecond)
				_, _ = c.Echo(ctx, &demov1.EchoRequest{Message: "load"})
				cancel()
				calls.Add(1)
			}
		})
	}
	wg.Wait()
	_, ends := s.expectConsistent(t, int(calls.Load()))
	t.Logf("%d calls, %d attempts begun, %d made", calls.Load(), s.grpc.begins.Load(), ends)
}

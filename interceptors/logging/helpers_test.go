package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	demoService = "grpcobs.demo.v1.DemoService"
	waitLimit   = 10 * time.Second
)

// spanner stands in for the tracing layer, placed before logging in the stack: it starts an
// SDK span for each call (SERVER or CLIENT), carries W3C baggage through the "baggage" header
// (client: from the context out; server: from the header into the context), and records the
// duration the stack reports, which must be the one logged.
type spanner struct {
	rec    *tracetest.SpanRecorder
	tracer trace.Tracer

	mu        sync.Mutex
	durations map[trace.SpanID]time.Duration
}

func newSpanner(t *testing.T) *spanner {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return &spanner{rec: rec, tracer: tp.Tracer("spanner"), durations: map[trace.SpanID]time.Duration{}}
}

func (s *spanner) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	if values := metadata.ValueFromIncomingContext(ctx, "baggage"); len(values) > 0 {
		if bag, err := baggage.Parse(strings.Join(values, ",")); err == nil {
			ctx = baggage.ContextWithBaggage(ctx, bag)
		}
	}
	return s.start(ctx, meta, trace.SpanKindServer)
}

func (s *spanner) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	if bag := baggage.FromContext(ctx); bag.Len() > 0 {
		ctx = metadata.AppendToOutgoingContext(ctx, "baggage", bag.String())
	}
	return s.start(ctx, meta, trace.SpanKindClient)
}

func (s *spanner) start(ctx context.Context, meta interceptors.CallMeta, kind trace.SpanKind) (interceptors.Reporter, context.Context) {
	ctx, span := s.tracer.Start(ctx, meta.Service+"/"+meta.Method, trace.WithSpanKind(kind))
	return &spanReporter{s: s, span: span}, ctx
}

type spanReporter struct {
	s    *spanner
	span trace.Span
}

func (r *spanReporter) PostCall(_ error, d time.Duration) {
	r.s.mu.Lock()
	r.s.durations[r.span.SpanContext().SpanID()] = d
	r.s.mu.Unlock()
	r.span.End()
}

func (r *spanReporter) PostMsgSend(any, error, time.Duration)    {}
func (r *spanReporter) PostMsgReceive(any, error, time.Duration) {}

// only returns the one span that ended, failing the test unless there is exactly one.
func (s *spanner) only(t *testing.T) sdktrace.ReadOnlySpan {
	t.Helper()
	ended := s.rec.Ended()
	if len(ended) != 1 {
		t.Fatalf("%d spans ended, want 1", len(ended))
	}
	return ended[0]
}

// duration is the duration the stack reported for the call of span, exactly: the one a
// filter must see.
func (s *spanner) duration(t *testing.T, span sdktrace.ReadOnlySpan) time.Duration {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.durations[span.SpanContext().SpanID()]
	if !ok {
		t.Fatalf("no duration recorded for span %s", span.Name())
	}
	return d
}

// timeMS is the grpc.time_ms the call of span must log: the duration the stack reported, in
// milliseconds, computed as the logger computes it. Compare durations with duration, never by
// converting this back: the float round trip can be a nanosecond off.
func (s *spanner) timeMS(t *testing.T, span sdktrace.ReadOnlySpan) float64 {
	t.Helper()
	return float64(s.duration(t, span)) / float64(time.Millisecond)
}

// logbook is a logger whose entries a test reads: through a hook, and as the JSON lines of
// jsonformat (without timestamps).
type logbook struct {
	*logrus.Logger
	out syncBuffer

	mu      sync.Mutex
	entries []logrus.Entry
	changed chan struct{}
}

func newLogbook() *logbook {
	b := &logbook{Logger: logrus.New(), changed: make(chan struct{}, 1)}
	b.SetOutput(&b.out)
	b.SetFormatter(&jsonformat.Formatter{DisableTimestamp: true})
	b.SetLevel(logrus.TraceLevel)
	b.AddHook(b)
	return b
}

func (b *logbook) Levels() []logrus.Level { return logrus.AllLevels }

func (b *logbook) Fire(e *logrus.Entry) error {
	b.mu.Lock()
	b.entries = append(b.entries, *e)
	b.mu.Unlock()
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return nil
}

// all returns the entries logged so far.
func (b *logbook) all() []logrus.Entry {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]logrus.Entry(nil), b.entries...)
}

// wait returns the entries once there are n of them, failing the test if that takes longer
// than waitLimit or if there are more.
func (b *logbook) wait(t *testing.T, n int) []logrus.Entry {
	t.Helper()
	timeout := time.NewTimer(waitLimit)
	defer timeout.Stop()
	for {
		got := b.all()
		if len(got) >= n {
			if len(got) > n {
				t.Fatalf("got %d log entries, want %d:\n%s", len(got), n, describe(got))
			}
			return got
		}
		select {
		case <-b.changed:
		case <-timeout.C:
			t.Fatalf("got %d log entries after %v, want %d:\n%s", len(got), waitLimit, n, describe(got))
		}
	}
}

// lines returns the JSON lines written so far.
func (b *logbook) lines() []string {
	s := b.out.String()
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	return lines[:len(lines)-1] // what follows the last newline
}

// jsonNumber is how a JSON line writes a duration in milliseconds.
func jsonNumber(ms float64) string {
	return strconv.FormatFloat(ms, 'f', -1, 64)
}

func describe(entries []logrus.Entry) string {
	var sb strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&sb, "  %s %q %v\n", e.Level, e.Message, e.Data)
	}
	return sb.String()
}

// plain turns an entry's fields into comparable values: errors into their messages, and
// rendered payloads (json.Marshaler) into decoded JSON.
func plain(t *testing.T, data logrus.Fields) map[string]any {
	t.Helper()
	out := make(map[string]any, len(data))
	for k, v := range data {
		switch v := v.(type) {
		case error:
			out[k] = v.Error()
		case json.Marshaler:
			js, err := v.MarshalJSON()
			if err != nil {
				t.Fatalf("field %s: MarshalJSON: %v", k, err)
			}
			var decoded any
			if err := json.Unmarshal(js, &decoded); err != nil {
				t.Fatalf("field %s holds invalid JSON %s: %v", k, js, err)
			}
			out[k] = decoded
		default:
			out[k] = v
		}
	}
	return out
}

// checkEntry compares an entry's level, message and fields with the wanted ones.
func checkEntry(t *testing.T, got logrus.Entry, level logrus.Level, msg string, fields map[string]any) {
	t.Helper()
	if got.Level != level || got.Message != msg {
		t.Errorf("entry %q at %s, want %q at %s", got.Message, got.Level, msg, level)
	}
	if diff := cmp.Diff(fields, plain(t, got.Data)); diff != "" {
		t.Errorf("fields of %q (-want +got):\n%s", msg, diff)
	}
}

// rig is a harness whose server and client stacks are [spanner, logging].
type rig struct {
	*testsrv.Harness
	serverLog, clientLog     *logbook
	serverSpans, clientSpans *spanner
}

type rigConfig struct {
	serverOpts, clientOpts []logging.Option
	harness                []testsrv.Option
	innerServer            []grpc.ServerOption // chained inside the stack, closer to the handler
	outerServer            []grpc.ServerOption // chained before the stack
}

func startRig(t *testing.T, cfg rigConfig) *rig {
	t.Helper()
	r := &rig{
		serverLog: newLogbook(), clientLog: newLogbook(),
		serverSpans: newSpanner(t), clientSpans: newSpanner(t),
	}
	var serverOpts []grpc.ServerOption
	serverOpts = append(serverOpts, cfg.outerServer...)
	serverOpts = append(serverOpts, interceptors.ServerOptions(r.serverSpans, logging.NewServer(r.serverLog.Logger, cfg.serverOpts...))...)
	serverOpts = append(serverOpts, cfg.innerServer...)
	opts := append([]testsrv.Option{
		testsrv.WithServerOptions(serverOpts...),
		testsrv.WithDialOptions(interceptors.DialOptions(r.clientSpans, logging.NewClient(r.clientLog.Logger, cfg.clientOpts...))...),
	}, cfg.harness...)
	r.Harness = testsrv.Start(t, opts...)
	return r
}

// callKind makes one call of a kind with the given fail code, to completion.
type callKind struct {
	name   string
	method string
	typ    string
	first  string // the message of the first request
	call   func(ctx context.Context, c demov1.DemoServiceClient, failCode int32) error
}

var callKinds = []callKind{
	{name: "unary", method: "Echo", typ: "unary", first: "hi", call: callEcho},
	{name: "server stream", method: "ServerStream", typ: "server_stream", first: "hi", call: callServerStream},
	{name: "client stream", method: "ClientStream", typ: "client_stream", first: "a", call: callClientStream},
	{name: "bidi stream", method: "Chat", typ: "bidi_stream", first: "a", call: callChat},
}

func echoRequest(message string) *demov1.EchoRequest {
	return &demov1.EchoRequest{Message: message}
}

func callEcho(ctx context.Context, c demov1.DemoServiceClient, failCode int32) error {
	_, err := c.Echo(ctx, &demov1.EchoRequest{Message: "hi", FailCode: failCode})
	return err
}

func callServerStream(ctx context.Context, c demov1.DemoServiceClient, failCode int32) error {
	stream, err := c.ServerStream(ctx, &demov1.ServerStreamRequest{Message: "hi", Count: 2, FailCode: failCode})
	if err != nil {
		return err
	}
	return drain(stream.Recv)
}

func callClientStream(ctx context.Context, c demov1.DemoServiceClient, failCode int32) error {
	stream, err := c.ClientStream(ctx)
	if err != nil {
		return err
	}
	for _, m := range []string{"a", "b"} {
		if err := stream.Send(&demov1.ClientStreamRequest{Message: m, FailCode: failCode}); err != nil {
			break // the status comes from CloseAndRecv
		}
	}
	_, err = stream.CloseAndRecv()
	return err
}

func callChat(ctx context.Context, c demov1.DemoServiceClient, failCode int32) error {
	stream, err := c.Chat(ctx)
	if err != nil {
		return err
	}
	for _, m := range []string{"a", "b"} {
		if err := stream.Send(&demov1.ChatRequest{Message: m, FailCode: failCode}); err != nil {
			break // the status comes from Recv
		}
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	return drain(stream.Recv)
}

func drain[T any](recv func() (T, error)) error {
	for {
		if _, err := recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

package logging_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// noDeadline is a context without a deadline, cancelled when the test ends.
func noDeadline(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx
}

func TestEveryKindOfCallIsLoggedOnBothSidesWithItsSpanIDs(t *testing.T) {
	outcomes := []struct {
		name     string
		failCode int32
		code     string
		level    logrus.Level // on the server; on the client every failure is an error
		err      string
	}{
		{name: "ok", code: "OK", level: logrus.InfoLevel},
		{name: "not found", failCode: int32(codes.NotFound), code: "NotFound", level: logrus.WarnLevel,
			err: "rpc error: code = NotFound desc = failure requested with fail_code 5"},
		{name: "internal", failCode: int32(codes.Internal), code: "Internal", level: logrus.ErrorLevel,
			err: "rpc error: code = Internal desc = failure requested with fail_code 13"},
	}
	for _, kind := range callKinds {
		for _, outcome := range outcomes {
			t.Run(kind.name+"/"+outcome.name, func(t *testing.T) {
				r := startRig(t, rigConfig{})
				err := kind.call(noDeadline(t), r.Demo(), outcome.failCode)
				if got := status.Code(err); got.String() != outcome.code {
					t.Fatalf("call ended with %v, want %s", err, outcome.code)
				}

				serverSpan, clientSpan := r.serverSpans.only(t), r.clientSpans.only(t)
				wantServer := map[string]any{
					"grpc.component":   "server",
					"grpc.service":     demoService,
					"grpc.method":      kind.method,
					"grpc.method_type": kind.typ,
					"grpc.code":        outcome.code,
					"grpc.time_ms":     r.serverSpans.timeMS(t, serverSpan),
					"peer.address":     "bufconn",
					"trace_id":         serverSpan.SpanContext().TraceID().String(),
					"span_id":          serverSpan.SpanContext().SpanID().String(),
				}
				wantClient := map[string]any{
					"grpc.component":   "client",
					"grpc.service":     demoService,
					"grpc.method":      kind.method,
					"grpc.method_type": kind.typ,
					"grpc.code":        outcome.code,
					"grpc.time_ms":     r.clientSpans.timeMS(t, clientSpan),
					"trace_id":         clientSpan.SpanContext().TraceID().String(),
					"span_id":          clientSpan.SpanContext().SpanID().String(),
				}
				if outcome.err != "" {
					wantServer["error"], wantClient["error"] = outcome.err, outcome.err
				}
				checkEntry(t, r.serverLog.wait(t, 1)[0], outcome.level, "finished call", wantServer)
				clientLevel := logrus.InfoLevel
				if outcome.failCode != 0 {
					clientLevel = logrus.ErrorLevel
				}
				checkEntry(t, r.clientLog.wait(t, 1)[0], clientLevel, "finished call", wantClient)
			})
		}
	}
}

func TestTheJSONLineCarriesTheFieldsWithTimeAsANumber(t *testing.T) {
	r := startRig(t, rigConfig{})
	if err := callEcho(noDeadline(t), r.Demo(), 0); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	span := r.serverSpans.only(t)
	r.serverLog.wait(t, 1)
	lines := r.serverLog.lines()
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1: %q", len(lines), lines)
	}
	want := `{"level":"info","msg":"finished call","grpc.code":"OK","grpc.component":"server",` +
		`"grpc.method":"Echo","grpc.method_type":"unary","grpc.service":"grpcobs.demo.v1.DemoService",` +
		`"grpc.time_ms":` + jsonNumber(r.serverSpans.timeMS(t, span)) + `,"peer.address":"bufconn",` +
		`"span_id":"` + span.SpanContext().SpanID().String() + `","trace_id":"` + span.SpanContext().TraceID().String() + `"}` + "\n"
	if lines[0] != want {
		t.Errorf("line =\n%s\nwant\n%s", lines[0], want)
	}
}

func TestServerLogsThePeerAddressOverTCP(t *testing.T) {
	var mu sync.Mutex
	var seen net.Addr
	hook := demo.WithHook(func(ctx context.Context, _, _ string) (context.Context, func(error)) {
		if p, ok := peer.FromContext(ctx); ok {
			mu.Lock()
			seen = p.Addr
			mu.Unlock()
		}
		return ctx, func(error) {}
	})
	r := startRig(t, rigConfig{harness: []testsrv.Option{
		testsrv.WithTCP(),
		testsrv.WithRegister(func(s *grpc.Server) { demov1.RegisterDemoServiceServer(s, demo.NewService(hook)) }),
	}})
	if err := callEcho(noDeadline(t), r.Demo(), 0); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	entry := r.serverLog.wait(t, 1)[0]
	mu.Lock()
	defer mu.Unlock()
	if seen == nil {
		t.Fatal("the handler saw no peer")
	}
	if got, want := entry.Data["peer.address"], seen.String(); got != want {
		t.Errorf("peer.address = %v, want the client's address %q", got, want)
	}
}

func TestDeadlineIsLoggedWhenTheCallHasOne(t *testing.T) {
	r := startRig(t, rigConfig{})
	deadline := time.Now().Add(time.Hour).Round(time.Millisecond)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := callEcho(ctx, r.Demo(), 0); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	client := r.clientLog.wait(t, 1)[0]
	if got, want := client.Data["grpc.request.deadline"], deadline.Format(time.RFC3339Nano); got != want {
		t.Errorf("client grpc.request.deadline = %v, want %v", got, want)
	}
	// The server's deadline is its own clock plus the timeout the client sent.
	server := r.serverLog.wait(t, 1)[0]
	text, _ := server.Data["grpc.request.deadline"].(string)
	got, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		t.Fatalf("server grpc.request.deadline %q: %v", text, err)
	}
	if skew := got.Sub(deadline).Abs(); skew > time.Second {
		t.Errorf("server grpc.request.deadline = %v, %v away from the client's %v", got, skew, deadline)
	}

	if err := callEcho(noDeadline(t), r.Demo(), 0); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	for _, e := range append(r.serverLog.wait(t, 2)[1:], r.clientLog.wait(t, 2)[1:]...) {
		if v, ok := e.Data["grpc.request.deadline"]; ok {
			t.Errorf("%s line of a call without deadline has grpc.request.deadline %v", e.Data["grpc.component"], v)
		}
	}
}

func TestStartLineComesBeforeTheFinishLine(t *testing.T) {
	r := startRig(t, rigConfig{serverOpts: []logging.Option{logging.WithStartLine()}, clientOpts: []logging.Option{logging.WithStartLine()}})
	if err := callChat(noDeadline(t), r.Demo(), 0); err != nil {
		t.Fatalf("Chat: %v", err)
	}
	for _, side := range []struct {
		log   *logbook
		spans *spanner
		peer  bool
	}{{r.serverLog, r.serverSpans, true}, {r.clientLog, r.clientSpans, false}} {
		entries := side.log.wait(t, 2)
		span := side.spans.only(t)
		component := "client"
		want := map[string]any{
			"grpc.service":     demoService,
			"grpc.method":      "Chat",
			"grpc.method_type": "bidi_stream",
			"trace_id":         span.SpanContext().TraceID().String(),
			"span_id":          span.SpanContext().SpanID().String(),
		}
		if side.peer {
			component = "server"
			want["peer.address"] = "bufconn"
		}
		want["grpc.component"] = component
		checkEntry(t, entries[0], logrus.InfoLevel, "started call", want)
		if entries[1].Message != "finished call" {
			t.Errorf("%s: second line %q, want the finish line", component, entries[1].Message)
		}
	}
}

func TestAnAbandonedClientStreamIsLoggedOnBothSides(t *testing.T) {
	r := startRig(t, rigConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := r.Demo().ServerStream(ctx, &demov1.ServerStreamRequest{Message: "m", Count: 1000, DelayMs: 10})
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("Recv: %v", err)
	}
	cancel() // and never read again

	// A cancel is the caller's doing: warn on the server; on the client the call failed.
	wantLevels := map[string]logrus.Level{"client": logrus.ErrorLevel, "server": logrus.WarnLevel}
	for side, log := range map[string]*logbook{"client": r.clientLog, "server": r.serverLog} {
		e := log.wait(t, 1)[0]
		if e.Level != wantLevels[side] || e.Data["grpc.code"] != "Canceled" {
			t.Errorf("%s line at %v with code %v, want %v and Canceled", side, e.Level, e.Data["grpc.code"], wantLevels[side])
		}
	}
}

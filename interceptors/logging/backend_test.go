package logging_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/internal/attempts"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
)

// A backend is a way of writing the call lines: logrus with jsonformat, or log/slog with its
// JSONHandler. Both write JSON lines without timestamps, at every level, which the table
// below decodes and compares.
type backend struct {
	name   string
	server func(w io.Writer, opts ...logging.Option) *logging.Server
	client func(w io.Writer, opts ...logging.Option) *logging.Client
	// scoped logs a line with one field through the request-scoped logger of the call in ctx.
	scoped func(ctx context.Context, msg, key string, value any)
}

func logrusJSON(w io.Writer) *logrus.Logger {
	l := logrus.New()
	l.SetOutput(w)
	l.SetFormatter(&jsonformat.Formatter{DisableTimestamp: true})
	l.SetLevel(logrus.TraceLevel)
	return l
}

// slogJSON is slog's JSONHandler to w, at every level the options can ask for, without time.
func slogJSONHandler(w io.Writer) slog.Handler {
	return slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: slog.LevelDebug - 4,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})
}

var backends = []backend{
	{
		name: "logrus",
		server: func(w io.Writer, opts ...logging.Option) *logging.Server {
			return logging.NewServer(logrusJSON(w), opts...)
		},
		client: func(w io.Writer, opts ...logging.Option) *logging.Client {
			return logging.NewClient(logrusJSON(w), opts...)
		},
		scoped: func(ctx context.Context, msg, key string, value any) {
			logging.FromContext(ctx).WithField(key, value).Info(msg)
		},
	},
	{
		name: "slog",
		server: func(w io.Writer, opts ...logging.Option) *logging.Server {
			return logging.NewSlogServer(slog.New(slogJSONHandler(w)), opts...)
		},
		client: func(w io.Writer, opts ...logging.Option) *logging.Client {
			return logging.NewSlogClient(slog.New(slogJSONHandler(w)), opts...)
		},
		scoped: func(ctx context.Context, msg, key string, value any) {
			logging.SlogFromContext(ctx).InfoContext(ctx, msg, key, value)
		},
	},
}

// slogLevelNames are the level names slog writes, as logrus (and jsonformat) spell them.
var slogLevelNames = map[string]string{
	"DEBUG-4": "trace", "DEBUG": "debug", "INFO": "info", "WARN": "warning", "ERROR": "error",
}

// jsonLine is one decoded line, its level spelled as logrus spells it.
type jsonLine map[string]any

func (l jsonLine) str(key string) string { s, _ := l[key].(string); return s }

// decodeLines decodes JSON lines, failing the test on one that is not a JSON object.
func decodeLines(t *testing.T, text string) []jsonLine {
	t.Helper()
	var lines []jsonLine
	for _, raw := range strings.SplitAfter(text, "\n") {
		if raw == "" {
			continue
		}
		var l jsonLine
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("not a JSON line: %v\n%s", err, raw)
		}
		if name, ok := slogLevelNames[l.str("level")]; ok {
			l["level"] = name
		}
		lines = append(lines, l)
	}
	return lines
}

// volatile are the fields whose values differ from run to run: both backends must log them,
// with the same JSON type, but not with the same value. Each row checks what they hold.
var volatile = map[string]bool{
	"grpc.time_ms": true, "trace_id": true, "span_id": true, "grpc.request.deadline": true,
	"grpc.panic_stack": true,
}

// stable is a line without its volatile values (their JSON type stays, so a number cannot
// become a string), for comparison across backends and for sorting.
func stable(l jsonLine) map[string]any {
	out := make(map[string]any, len(l))
	for k, v := range l {
		if volatile[k] {
			v = fmt.Sprintf("<%T>", v)
		}
		out[k] = v
	}
	return out
}

// sortLines orders lines by their stable content: calls of one test may finish in either
// order on the server, so lines are compared as a set.
func sortLines(lines []jsonLine) {
	key := func(l jsonLine) string {
		js, _ := json.Marshal(stable(l))
		return string(js)
	}
	slices.SortStableFunc(lines, func(a, b jsonLine) int { return strings.Compare(key(a), key(b)) })
}

// sides are what one backend logged in one row, server and client.
type sides struct {
	server, client []jsonLine
	rawServer      string
	rawClient      string
	r              *backendRig
}

type backendRig struct {
	*testsrv.Harness
	serverOut, clientOut     syncBuffer
	serverSpans, clientSpans *spanner
}

// rowConfig is how a row builds its stacks.
type rowConfig struct {
	serverOpts, clientOpts []logging.Option
	hook                   func(b backend) func(ctx context.Context, method, message string) (context.Context, func(error))
	innerServer            []grpc.ServerOption
	clientBefore           []interceptors.ClientReportable // in the client stack, before logging
	dial                   []grpc.DialOption
}

func startBackendRig(t *testing.T, b backend, cfg rowConfig) *backendRig {
	t.Helper()
	r := &backendRig{serverSpans: newSpanner(t), clientSpans: newSpanner(t)}
	serverOpts := append(interceptors.ServerOptions(r.serverSpans, b.server(&r.serverOut, cfg.serverOpts...)), cfg.innerServer...)
	client := append([]interceptors.ClientReportable{r.clientSpans}, cfg.clientBefore...)
	client = append(client, b.client(&r.clientOut, cfg.clientOpts...))
	opts := []testsrv.Option{
		testsrv.WithServerOptions(serverOpts...),
		testsrv.WithDialOptions(append(interceptors.DialOptions(client...), cfg.dial...)...),
	}
	if cfg.hook != nil {
		opts = append(opts, withHook(cfg.hook(b)))
	}
	r.Harness = testsrv.Start(t, opts...)
	return r
}

// waitLines waits for n lines in out, and fails the test if there are more.
func waitLines(t *testing.T, out *syncBuffer, n int, side string) string {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		text := out.String()
		got := strings.Count(text, "\n")
		if got > n {
			t.Fatalf("%s: %d lines, want %d:\n%s", side, got, n, text)
		}
		if got == n {
			// A line too many would come from the same call's goroutines: give them a moment.
			time.Sleep(20 * time.Millisecond)
			if text2 := out.String(); text2 != text {
				t.Fatalf("%s: more than %d lines:\n%s", side, n, text2)
			}
			return text
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d lines after %v, want %d:\n%s", side, got, waitLimit, n, text)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func byMessage(lines []jsonLine, msg string) []jsonLine {
	var out []jsonLine
	for _, l := range lines {
		if l.str("msg") == msg {
			out = append(out, l)
		}
	}
	return out
}

// wantFields fails the test unless line has each field with the value given.
func wantFields(t *testing.T, side string, line jsonLine, want map[string]any) {
	t.Helper()
	got := make(map[string]any, len(want))
	for k := range want {
		if v, ok := line[k]; ok {
			got[k] = v
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s line %q (-want +got):\n%s\nline: %v", side, line.str("msg"), diff, line)
	}
}

// levelsByCode maps each finish line's grpc.code to its level.
func levelsByCode(lines []jsonLine) map[string]string {
	out := map[string]string{}
	for _, l := range byMessage(lines, "finished call") {
		out[l.str("grpc.code")] = l.str("level")
	}
	return out
}

// inMetadata is a context whose outgoing metadata carries kv.
func inMetadata(ctx context.Context, kv ...string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

// The secrets of the credentials row: none may appear in any output.
const secret = "s3cret"

// TestEveryFeatureOnBothBackends runs each logging feature through real calls, once with
// logrus and once with log/slog, checks what each feature promises on each backend, and then
// compares the two backends' lines field by field: the same lines, with the same names and
// values (volatile values with the same JSON type), in every row.
func TestEveryFeatureOnBothBackends(t *testing.T) {
	rows := []struct {
		name                 string
		cfg                  func() rowConfig // per backend: filters keep counts
		run                  func(t *testing.T, c demov1.DemoServiceClient)
		wantServer, wantClnt int
		check                func(t *testing.T, s sides)
	}{
		{
			name: "the finished-call line of every kind of call",
			run: func(t *testing.T, c demov1.DemoServiceClient) {
				for _, kind := range callKinds {
					if err := kind.call(noDeadline(t), c, 0); err != nil {
						t.Fatalf("%s: %v", kind.name, err)
					}
				}
			},
			wantServer: 4, wantClnt: 4,
			check: func(t *testing.T, s sides) {
				for _, kind := range callKinds {
					for side, lines := range map[string][]jsonLine{"server": s.server, "client": s.client} {
						var found bool
						for _, l := range byMessage(lines, "finished call") {
							if l.str("grpc.method") == kind.method {
								found = true
								wantFields(t, side, l, map[string]any{
									"level": "info", "grpc.component": side, "grpc.service": demoService,
									"grpc.method_type": kind.typ, "grpc.code": "OK",
								})
							}
						}
						if !found {
							t.Errorf("%s: no finish line for %s", side, kind.method)
						}
					}
				}
				for _, l := range s.server {
					wantFields(t, "server", l, map[string]any{"peer.address": "bufconn"})
				}
			},
		},
		{
			name: "the start line",
			cfg: func() rowConfig {
				return rowConfig{serverOpts: []logging.Option{logging.WithStartLine()}, clientOpts: []logging.Option{logging.WithStartLine()}}
			},
			run: func(t *testing.T, c demov1.DemoServiceClient) {
				ctx, cancel := context.WithTimeout(noDeadline(t), time.Minute)
				defer cancel()
				if err := callEcho(ctx, c, 5); err == nil {
					t.Fatal("Echo with fail_code 5 succeeded")
				}
			},
			wantServer: 2, wantClnt: 2,
			check: func(t *testing.T, s sides) {
				for side, lines := range map[string][]jsonLine{"server": s.server, "client": s.client} {
					started := byMessage(lines, "started call")
					if len(started) != 1 {
						t.Fatalf("%s: %d start lines, want 1", side, len(started))
					}
					for _, outcome := range []string{"grpc.code", "grpc.time_ms", "error"} {
						if _, ok := started[0][outcome]; ok {
							t.Errorf("%s start line carries %s", side, outcome)
						}
					}
					wantFields(t, side, started[0], map[string]any{"level": "info", "grpc.method": "Echo"})
					for _, l := range lines {
						if _, err := time.Parse(time.RFC3339Nano, l.str("grpc.request.deadline")); err != nil {
							t.Errorf("%s line %q: grpc.request.deadline: %v", side, l.str("msg"), err)
						}
					}
				}
			},
		},
		{
			name: "levels from the status policy on server and client, and a code's own level",
			cfg: func() rowConfig {
				return rowConfig{
					serverOpts: []logging.Option{logging.WithCodeLevel(codes.AlreadyExists, logrus.DebugLevel)},
					clientOpts: []logging.Option{logging.WithCodeLevel(codes.AlreadyExists, logrus.TraceLevel)},
				}
			},
			run: func(t *testing.T, c demov1.DemoServiceClient) {
				for _, code := range []codes.Code{codes.OK, codes.NotFound, codes.Internal, codes.AlreadyExists} {
					_ = callEcho(noDeadline(t), c, int32(code))
				}
			},
			wantServer: 4, wantClnt: 4,
			check: func(t *testing.T, s sides) {
				if diff := cmp.Diff(map[string]string{"OK": "info", "NotFound": "warning", "Internal": "error", "AlreadyExists": "debug"}, levelsByCode(s.server)); diff != "" {
					t.Errorf("server levels (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(map[string]string{"OK": "info", "NotFound": "error", "Internal": "error", "AlreadyExists": "trace"}, levelsByCode(s.client)); diff != "" {
					t.Errorf("client levels (-want +got):\n%s", diff)
				}
				for _, l := range s.server {
					if l.str("grpc.code") == "NotFound" {
						wantFields(t, "server", l, map[string]any{"error": "rpc error: code = NotFound desc = failure requested with fail_code 5"})
					}
				}
			},
		},
		{
			name: "outcome-aware filters",
			cfg: func() rowConfig {
				return rowConfig{
					serverOpts: []logging.Option{logging.WithFilter(filter.Failed()), logging.WithStartLine()},
					clientOpts: []logging.Option{logging.WithFilter(filter.SampleSuccesses(2))},
				}
			},
			run: func(t *testing.T, c demov1.DemoServiceClient) {
				for _, code := range []codes.Code{codes.OK, codes.OK, codes.OK, codes.Unavailable} {
					_ = callEcho(noDeadline(t), c, int32(code))
				}
			},
			wantServer: 1, wantClnt: 3, // failures only; the 1st and 3rd successes and the failure
			check: func(t *testing.T, s sides) {
				wantFields(t, "server", s.server[0], map[string]any{"msg": "finished call", "grpc.code": "Unavailable"})
				if diff := cmp.Diff(map[string]string{"OK": "info", "Unavailable": "error"}, levelsByCode(s.client)); diff != "" {
					t.Errorf("client lines (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "metadata and baggage allowlists; credentials never printed",
			cfg: func() rowConfig {
				opts := []logging.Option{
					logging.WithMetadataFields("x-request-id", "authorization", "x-api-key", "cookie", "grpc-custom", "custom-bin", "baggage"),
					logging.WithBaggageFields("tenant", "token"),
					logging.WithStartLine(),
				}
				return rowConfig{serverOpts: opts, clientOpts: opts}
			},
			run: func(t *testing.T, c demov1.DemoServiceClient) {
				ctx := testsrv.WithBaggage(t, noDeadline(t), "tenant", "acme", "token", secret+"-bag")
				ctx = inMetadata(ctx, "x-request-id", "req-1", "authorization", "Bearer "+secret+"-auth",
					"x-api-key", secret+"-key", "cookie", secret+"-cookie", "grpc-custom", secret+"-grpc",
					"custom-bin", secret+"-bin")
				for _, kind := range []callKind{callKinds[0], callKinds[3]} {
					if err := kind.call(ctx, c, 0); err != nil {
						t.Fatalf("%s: %v", kind.name, err)
					}
				}
			},
			wantServer: 4, wantClnt: 4,
			check: func(t *testing.T, s sides) {
				for side, lines := range map[string][]jsonLine{"server": s.server, "client": s.client} {
					for _, l := range lines {
						wantFields(t, side, l, map[string]any{"grpc.request.metadata.x-request-id": "req-1", "baggage.tenant": "acme"})
					}
				}
				for side, raw := range map[string]string{"server": s.rawServer, "client": s.rawClient} {
					if strings.Contains(raw, secret) {
						t.Errorf("%s output holds a credential:\n%s", side, raw)
					}
				}
			},
		},
		{
			name: "payloads with redaction",
			cfg: func() rowConfig {
				opts := []logging.Option{logging.WithPayloads(logging.RedactFields("message")), logging.WithStartLine()}
				return rowConfig{serverOpts: opts, clientOpts: opts}
			},
			run: func(t *testing.T, c demov1.DemoServiceClient) {
				if _, err := c.Echo(noDeadline(t), &demov1.EchoRequest{Message: secret, DelayMs: 1}); err != nil {
					t.Fatal(err)
				}
				if err := callChat(noDeadline(t), c, 0); err != nil {
					t.Fatal(err)
				}
			},
			// Echo: start and finish; Chat: start, two requests, two responses, finish.
			wantServer: 8, wantClnt: 8,
			check: func(t *testing.T, s sides) {
				for side, lines := range map[string][]jsonLine{"server": s.server, "client": s.client} {
					for _, l := range lines {
						if l.str("grpc.method") == "Echo" && l.str("msg") == "finished call" {
							wantFields(t, side, l, map[string]any{
								"grpc.request.content":  map[string]any{"message": logging.Redacted, "delayMs": "1"},
								"grpc.response.content": map[string]any{"message": logging.Redacted},
							})
						}
					}
					request := "request received"
					if side == "client" {
						request = "request sent"
					}
					for _, l := range byMessage(lines, request) {
						wantFields(t, side, l, map[string]any{"grpc.request.content": map[string]any{"message": logging.Redacted}})
					}
				}
				for side, raw := range map[string]string{"server": s.rawServer, "client": s.rawClient} {
					if strings.Contains(raw, secret) {
						t.Errorf("%s output holds the redacted field:\n%s", side, raw)
					}
				}
			},
		},
		{
			name: "panic stacks",
			cfg: func() rowConfig {
				return rowConfig{
					innerServer: []grpc.ServerOption{grpc.ChainUnaryInterceptor(recovery.UnaryServerInterceptor(
						recovery.WithRecoveryHandlerContext(interceptors.RecoverPanic)))},
					hook: func(backend) func(ctx context.Context, method, message string) (context.Context, func(error)) {
						return panicInHandler
					},
				}
			},
			run: func(t *testing.T, c demov1.DemoServiceClient) {
				if _, err := c.Echo(noDeadline(t), echoRequest("panic")); err == nil {
					t.Fatal("Echo succeeded")
				}
			},
			wantServer: 1, wantClnt: 1,
			check: func(t *testing.T, s sides) {
				wantFields(t, "server", s.server[0], map[string]any{"level": "error", "grpc.code": "Internal", "error": "panic: boom"})
				if stack := s.server[0].str("grpc.panic_stack"); !strings.Contains(stack, "panicInHandler") {
					t.Errorf("grpc.panic_stack does not show the panicking function:\n%s", stack)
				}
			},
		},
		{
			name: "attempt fields",
			cfg: func() rowConfig {
				return rowConfig{
					clientBefore: []interceptors.ClientReportable{metrics.NewClientMetrics(metrics.WithAttempts())},
					dial:         []grpc.DialOption{grpc.WithDefaultServiceConfig(attempts.RetryPolicy(3, "0.001s", 1, ""))},
				}
			},
			run: func(t *testing.T, c demov1.DemoServiceClient) {
				if _, err := c.Echo(noDeadline(t), &demov1.EchoRequest{Message: "hi", UnavailableAttempts: 1}); err != nil {
					t.Fatal(err)
				}
			},
			wantServer: 2, wantClnt: 1,
			check: func(t *testing.T, s sides) {
				wantFields(t, "client", s.client[0], map[string]any{
					"grpc.code": "OK", "grpc.attempts": float64(2), "grpc.attempt_codes": []any{"Unavailable"},
				})
				if diff := cmp.Diff(map[string]string{"OK": "info", "Unavailable": "error"}, levelsByCode(s.server)); diff != "" {
					t.Errorf("server lines (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "the request-scoped logger in handlers, and AddFields",
			cfg: func() rowConfig {
				return rowConfig{
					hook: func(b backend) func(ctx context.Context, method, message string) (context.Context, func(error)) {
						return func(ctx context.Context, _, message string) (context.Context, func(error)) {
							logging.AddFields(ctx, logrus.Fields{"tenant": "acme", logging.FieldMethod: "forged"})
							b.scoped(ctx, "handling", "message", message)
							return ctx, func(error) {}
						}
					},
				}
			},
			run: func(t *testing.T, c demov1.DemoServiceClient) {
				if err := callEcho(noDeadline(t), c, 0); err != nil {
					t.Fatal(err)
				}
			},
			wantServer: 2, wantClnt: 1,
			check: func(t *testing.T, s sides) {
				handling := byMessage(s.server, "handling")
				finished := byMessage(s.server, "finished call")
				if len(handling) != 1 || len(finished) != 1 {
					t.Fatalf("server lines: %v", s.server)
				}
				span := s.r.serverSpans.only(t)
				want := map[string]any{
					"level": "info", "grpc.component": "server", "grpc.service": demoService, "grpc.method": "Echo",
					"trace_id": span.SpanContext().TraceID().String(), "span_id": span.SpanContext().SpanID().String(),
					"tenant": "acme",
				}
				wantFields(t, "server", finished[0], want)
				want["message"] = "hi"
				if diff := cmp.Diff(want, map[string]any(handling[0]), cmpIgnoreKey("msg")); diff != "" {
					t.Errorf("handler line (-want +got):\n%s", diff)
				}
			},
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			got := map[string]sides{}
			for _, b := range backends {
				t.Run(b.name, func(t *testing.T) {
					cfg := rowConfig{}
					if row.cfg != nil {
						cfg = row.cfg()
					}
					r := startBackendRig(t, b, cfg)
					row.run(t, r.Demo())
					s := sides{r: r}
					s.rawServer = waitLines(t, &r.serverOut, row.wantServer, "server")
					s.rawClient = waitLines(t, &r.clientOut, row.wantClnt, "client")
					s.server, s.client = decodeLines(t, s.rawServer), decodeLines(t, s.rawClient)
					checkTraceIDs(t, "server", s.server, r.serverSpans)
					checkTraceIDs(t, "client", s.client, r.clientSpans)
					row.check(t, s)
					got[b.name] = s
				})
			}
			lr, sl := got["logrus"], got["slog"]
			if lr.r == nil || sl.r == nil {
				return // a backend failed already
			}
			for side, pair := range map[string][2][]jsonLine{"server": {lr.server, sl.server}, "client": {lr.client, sl.client}} {
				sortLines(pair[0])
				sortLines(pair[1])
				if len(pair[0]) != len(pair[1]) {
					t.Fatalf("%s: logrus wrote %d lines, slog %d", side, len(pair[0]), len(pair[1]))
				}
				for i := range pair[0] {
					if diff := cmp.Diff(stable(pair[0][i]), stable(pair[1][i])); diff != "" {
						t.Errorf("%s line %d differs between backends (-logrus +slog):\n%s", side, i, diff)
					}
				}
			}
		})
	}
}

// checkTraceIDs fails the test unless every line carries the ids of a span of its side (the
// spanner stands in for tracing), so trace_id and span_id are checked in every row.
func checkTraceIDs(t *testing.T, side string, lines []jsonLine, spans *spanner) {
	t.Helper()
	ids := map[[2]string]bool{}
	for _, s := range spans.rec.Ended() {
		ids[[2]string{s.SpanContext().TraceID().String(), s.SpanContext().SpanID().String()}] = true
	}
	for _, s := range spans.rec.Started() {
		ids[[2]string{s.SpanContext().TraceID().String(), s.SpanContext().SpanID().String()}] = true
	}
	for _, l := range lines {
		if !ids[[2]string{l.str("trace_id"), l.str("span_id")}] {
			t.Errorf("%s line %q carries trace_id %q, span_id %q: no span of its side", side, l.str("msg"), l.str("trace_id"), l.str("span_id"))
		}
	}
}

func cmpIgnoreKey(key string) cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool {
		mi, ok := p.Last().(cmp.MapIndex)
		return ok && mi.Key().String() == key
	}, cmp.Ignore())
}

package logging_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	mwlogging "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// middlewareLevels is go-grpc-middleware's default levels (DefaultServerCodeToLevel,
// DefaultClientCodeToLevel) in the options' level names: docs/logging.md's snippet, for teams
// that want its levels too.
func middlewareLevels(isClient bool) logging.Option {
	return logging.WithLevels(func(code codes.Code) logrus.Level {
		level := mwlogging.DefaultServerCodeToLevel(code)
		if isClient {
			level = mwlogging.DefaultClientCodeToLevel(code)
		}
		switch level {
		case mwlogging.LevelDebug:
			return logrus.DebugLevel
		case mwlogging.LevelInfo:
			return logrus.InfoLevel
		case mwlogging.LevelWarn:
			return logrus.WarnLevel
		default:
			return logrus.ErrorLevel
		}
	})
}

// middlewareLoggers are go-grpc-middleware's logging interceptor on each backend: through
// this package's logrus adapter, and through the slog adapter of its examples.
var middlewareLoggers = map[string]func(w io.Writer) mwlogging.Logger{
	"logrus": func(w io.Writer) mwlogging.Logger { return logging.InterceptorLogger(logrusJSON(w)) },
	"slog": func(w io.Writer) mwlogging.Logger {
		l := slog.New(slogJSONHandler(w))
		return mwlogging.LoggerFunc(func(ctx context.Context, lvl mwlogging.Level, msg string, fields ...any) {
			l.Log(ctx, slog.Level(lvl), msg, fields...)
		})
	},
}

// TestGoGRPCMiddlewareFieldsMatchItsInterceptor runs go-grpc-middleware's logging interceptor
// (default options: a start and a finish line) and grpcobs' logging with
// WithGoGRPCMiddlewareFields, WithStartLine and go-grpc-middleware's levels side by side on the
// same server and client, on each backend, through the same real calls (unary, server stream,
// bidi stream; OK and failed). For each call and side, the decoded start and finish lines must
// be equal: field names, value types and values, level and message. The fields that differ on
// every call (grpc.start_time, grpc.time_ms) must have the same type and format.
func TestGoGRPCMiddlewareFieldsMatchItsInterceptor(t *testing.T) {
	calls := []struct {
		name string
		call func(ctx context.Context, c demov1.DemoServiceClient) error
	}{
		{"unary OK", func(ctx context.Context, c demov1.DemoServiceClient) error { return callEcho(ctx, c, 0) }},
		{"unary NotFound", func(ctx context.Context, c demov1.DemoServiceClient) error {
			return callEcho(ctx, c, int32(codes.NotFound))
		}},
		{"server stream OK", func(ctx context.Context, c demov1.DemoServiceClient) error { return callServerStream(ctx, c, 0) }},
		{"server stream DataLoss", func(ctx context.Context, c demov1.DemoServiceClient) error {
			return callServerStream(ctx, c, int32(codes.DataLoss))
		}},
		{"bidi stream OK", func(ctx context.Context, c demov1.DemoServiceClient) error { return callChat(ctx, c, 0) }},
		{"bidi stream Internal", func(ctx context.Context, c demov1.DemoServiceClient) error {
			return callChat(ctx, c, int32(codes.Internal))
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			var ours, theirs struct{ server, client syncBuffer }
			mwServer := middlewareLoggers[b.name](&theirs.server)
			mwClient := middlewareLoggers[b.name](&theirs.client)
			h := testsrv.Start(t,
				testsrv.WithServerOptions(append(interceptors.ServerOptions(
					b.server(&ours.server, logging.WithGoGRPCMiddlewareFields(), logging.WithStartLine(), middlewareLevels(false)),
				),
					grpc.ChainUnaryInterceptor(mwlogging.UnaryServerInterceptor(mwServer)),
					grpc.ChainStreamInterceptor(mwlogging.StreamServerInterceptor(mwServer)),
				)...),
				testsrv.WithDialOptions(append(interceptors.DialOptions(
					b.client(&ours.client, logging.WithGoGRPCMiddlewareFields(), logging.WithStartLine(), middlewareLevels(true)),
				),
					grpc.WithChainUnaryInterceptor(mwlogging.UnaryClientInterceptor(mwClient)),
					grpc.WithChainStreamInterceptor(mwlogging.StreamClientInterceptor(mwClient)),
				)...),
			)
			seen := 0
			for _, c := range calls {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a deadline to log
				err := c.call(ctx, h.Demo())
				cancel()
				if wantErr := !strings.HasSuffix(c.name, "OK"); (err != nil) != wantErr {
					t.Fatalf("%s: err = %v", c.name, err)
				}
				seen += 2 // a start and a finish line per side
				for _, side := range []struct {
					name        string
					ours, their *syncBuffer
				}{{"server", &ours.server, &theirs.server}, {"client", &ours.client, &theirs.client}} {
					got := decodeLines(t, waitLines(t, side.ours, seen, "grpcobs "+side.name))[seen-2:]
					want := decodeLines(t, waitLines(t, side.their, seen, "go-grpc-middleware "+side.name))[seen-2:]
					for _, msg := range []string{"started call", "finished call"} {
						g, w := byMessage(got, msg), byMessage(want, msg)
						if len(g) != 1 || len(w) != 1 {
							t.Fatalf("%s %s: %d and %d %q lines, want one each:\n%v\n%v", c.name, side.name, len(g), len(w), msg, got, want)
						}
						compareMiddlewareLines(t, c.name+" "+side.name+" "+msg, g[0], w[0])
					}
				}
			}
		})
	}
}

// compareMiddlewareLines fails the test unless grpcobs' line got and go-grpc-middleware's line
// want are equal, but for the values of the fields that differ on every call, which must have
// the same type and format.
func compareMiddlewareLines(t *testing.T, name string, got, want jsonLine) {
	t.Helper()
	got, want = clone(got), clone(want)
	for _, key := range []string{"grpc.start_time", "grpc.time_ms"} {
		g, gok := got[key].(string)
		w, wok := want[key].(string)
		if !gok || !wok {
			t.Errorf("%s: %s is %#v, want a string like %#v", name, key, got[key], want[key])
			continue
		}
		for _, v := range []string{g, w} {
			if err := middlewareFormat(key, v); err != nil {
				t.Errorf("%s: %s: %v", name, key, err)
			}
		}
		delete(got, key)
		delete(want, key)
	}
	if _, ok := want["grpc.request.deadline"]; !ok {
		t.Errorf("%s: no grpc.request.deadline in go-grpc-middleware's line: the calls must have one", name)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-go-grpc-middleware +grpcobs):\n%s", name, diff)
	}
}

func clone(l jsonLine) jsonLine {
	out := make(jsonLine, len(l))
	for k, v := range l {
		out[k] = v
	}
	return out
}

// middlewareFormat reports whether v is written as go-grpc-middleware writes the field key:
// grpc.start_time as RFC 3339 in whole seconds, grpc.time_ms as fmt's "%v" of a float32.
func middlewareFormat(key, v string) error {
	switch key {
	case "grpc.start_time":
		ts, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return err
		}
		if ts.Format(time.RFC3339) != v {
			return fmt.Errorf("%q is not written as RFC 3339 in seconds", v)
		}
	case "grpc.time_ms":
		f, err := strconv.ParseFloat(v, 32)
		if err != nil {
			return err
		}
		if fmt.Sprintf("%v", float32(f)) != v || f < 0 {
			return fmt.Errorf("%q is not fmt's %%v of a float32 of milliseconds", v)
		}
	}
	return nil
}

// TestGoGRPCMiddlewareLevelsTable checks docs/logging.md's table of levels, go-grpc-middleware's
// defaults against grpcobs' under the default status policy, for every code.
func TestGoGRPCMiddlewareLevelsTable(t *testing.T) {
	type levels struct{ theirServer, theirClient, ourServer, ourClient string }
	rows := map[codes.Code]levels{}
	for _, row := range []struct {
		codes []codes.Code
		levels
	}{
		{[]codes.Code{codes.OK}, levels{"info", "debug", "info", "info"}},
		{[]codes.Code{codes.Canceled, codes.InvalidArgument, codes.NotFound, codes.AlreadyExists}, levels{"info", "debug", "warning", "error"}},
		{[]codes.Code{codes.Unauthenticated}, levels{"info", "info", "warning", "error"}},
		{[]codes.Code{codes.PermissionDenied}, levels{"warning", "info", "warning", "error"}},
		{[]codes.Code{codes.ResourceExhausted, codes.FailedPrecondition, codes.Aborted, codes.OutOfRange}, levels{"warning", "debug", "warning", "error"}},
		{[]codes.Code{codes.DeadlineExceeded}, levels{"warning", "info", "error", "error"}},
		{[]codes.Code{codes.Unavailable}, levels{"warning", "warning", "error", "error"}},
		{[]codes.Code{codes.Unknown}, levels{"error", "info", "error", "error"}},
		{[]codes.Code{codes.Unimplemented, codes.Internal, codes.DataLoss}, levels{"error", "warning", "error", "error"}},
	} {
		for _, c := range row.codes {
			rows[c] = row.levels
		}
	}
	theirs := func(l mwlogging.Level) string {
		return map[mwlogging.Level]string{mwlogging.LevelDebug: "debug", mwlogging.LevelInfo: "info", mwlogging.LevelWarn: "warning", mwlogging.LevelError: "error"}[l]
	}
	policy := interceptors.DefaultStatusPolicy()
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		want, ok := rows[c]
		if !ok {
			t.Errorf("%v is not in the table", c)
			continue
		}
		got := levels{
			theirs(mwlogging.DefaultServerCodeToLevel(c)), theirs(mwlogging.DefaultClientCodeToLevel(c)),
			logging.PolicyLevel(policy, false, c).String(), logging.PolicyLevel(policy, true, c).String(),
		}
		if got != want {
			t.Errorf("%v: levels (their server, their client, our server, our client) are %v, the table says %v", c, got, want)
		}
	}
}

// TestGoGRPCMiddlewareFieldsOnPayloadAndPanicLines checks what docs/logging.md says of the
// lines the side-by-side test does not compare, on both backends: with WithPayloads, a unary
// call's messages are on its finish line and a stream's message lines carry no duration; a
// handler panic's grpc.error is "panic: <value>", its stack in grpc.panic_stack; every line has
// protocol and grpc.start_time, no "error", and grpcobs' own trace_id still.
func TestGoGRPCMiddlewareFieldsOnPayloadAndPanicLines(t *testing.T) {
	recoverInside := grpc.ChainUnaryInterceptor(recovery.UnaryServerInterceptor(
		recovery.WithRecoveryHandlerContext(interceptors.RecoverPanic)))
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			opts := []logging.Option{logging.WithGoGRPCMiddlewareFields(), logging.WithPayloads(nil)}
			r := startBackendRig(t, b, rowConfig{
				serverOpts: opts, clientOpts: opts, innerServer: []grpc.ServerOption{recoverInside},
				hook: func(backend) func(context.Context, string, string) (context.Context, func(error)) {
					return panicInHandler
				},
			})
			ctx := context.Background()
			if err := callEcho(ctx, r.Demo(), 0); err != nil {
				t.Fatal(err)
			}
			if err := callServerStream(ctx, r.Demo(), 0); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Demo().Echo(ctx, echoRequest("panic")); status.Code(err) != codes.Internal {
				t.Fatalf("Echo(panic) = %v, want Internal", err)
			}
			// Echo's finish line; ServerStream's request, 2 responses and finish; the panic's.
			lines := decodeLines(t, waitLines(t, &r.serverOut, 6, "server"))
			for _, l := range lines {
				name := l.str("grpc.method") + " " + l.str("msg")
				if l["protocol"] != "grpc" || l["error"] != nil || l.str("trace_id") == "" {
					t.Errorf("%s: protocol %v, error %v, trace_id %v; want grpc, none, an id", name, l["protocol"], l["error"], l["trace_id"])
				}
				if err := middlewareFormat("grpc.start_time", l.str("grpc.start_time")); err != nil {
					t.Errorf("%s: grpc.start_time: %v", name, err)
				}
				switch msg := l.str("msg"); {
				case msg == "request received" || msg == "response sent":
					for _, key := range []string{"grpc.time_ms", "grpc.recv.duration", "grpc.send.duration"} {
						if v, ok := l[key]; ok {
							t.Errorf("%s: %s is %v, want none: messages are not timed for logging", name, key, v)
						}
					}
					if _, ok := l["grpc.request.content"].(map[string]any); !ok && msg == "request received" {
						t.Errorf("%s: no request content: %v", name, l)
					}
				case msg == "finished call":
					if err := middlewareFormat("grpc.time_ms", l.str("grpc.time_ms")); err != nil {
						t.Errorf("%s: grpc.time_ms: %v", name, err)
					}
				default:
					t.Errorf("unexpected line %v", l)
				}
			}
			finished := byMessage(lines, "finished call")
			if len(finished) != 3 {
				t.Fatalf("%d finish lines, want 3: %v", len(finished), finished)
			}
			for _, l := range finished {
				switch {
				case l.str("grpc.method") == "Echo" && l.str("grpc.code") == "OK":
					wantFields(t, "server", l, map[string]any{
						"grpc.request.content":  map[string]any{"message": "hi"},
						"grpc.response.content": map[string]any{"message": "hi"},
					})
				case l.str("grpc.method") == "Echo":
					wantFields(t, "server", l, map[string]any{"grpc.code": "Internal", "grpc.error": "panic: boom"})
					if !strings.Contains(l.str("grpc.panic_stack"), "panicInHandler") {
						t.Errorf("grpc.panic_stack does not show the panicking function: %v", l["grpc.panic_stack"])
					}
				}
			}
		})
	}
}

package logging_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc/codes"
)

// nopHook does nothing, on every level: its logger's lines go through logrus.
type nopHook struct{}

func (nopHook) Levels() []logrus.Level   { return logrus.AllLevels }
func (nopHook) Fire(*logrus.Entry) error { return nil }

// TestDirectLinesMatchLogrusThroughCalls runs each kind of call, succeeding and failing, with
// a deadline, through stacks that log every line twice on each side: once to a logger whose
// lines are written directly, once to the same logger with a hook that does nothing, whose
// lines go through logrus. Both see the same call, span and duration: their lines are the same
// bytes.
func TestDirectLinesMatchLogrusThroughCalls(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []logging.Option
	}{
		{"default", nil},
		{"start lines and payloads", []logging.Option{logging.WithStartLine(), logging.WithPayloads(nil)}},
		// Not with start lines: each logger's start line has the time since the start when
		// it writes it.
		{"go-grpc-middleware fields", []logging.Option{logging.WithGoGRPCMiddlewareFields()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var direct, viaLogrus syncBuffer
			hooked := logrusJSON(&viaLogrus)
			hooked.AddHook(nopHook{})
			loggers := []*logrus.Logger{logrusJSON(&direct), hooked}
			spans := newSpanner(t)
			h := testsrv.Start(t,
				testsrv.WithServerOptions(interceptors.ServerOptions(spans,
					logging.NewServer(loggers[0], tc.opts...), logging.NewServer(loggers[1], tc.opts...))...),
				testsrv.WithDialOptions(interceptors.DialOptions(spans,
					logging.NewClient(loggers[0], tc.opts...), logging.NewClient(loggers[1], tc.opts...))...))
			for _, kind := range callKinds {
				for _, code := range []codes.Code{codes.OK, codes.NotFound} {
					ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
					err := kind.call(ctx, h.Demo(), int32(code))
					cancel()
					if (err != nil) != (code != codes.OK) {
						t.Fatalf("%s, code %v: %v", kind.name, code, err)
					}
				}
			}
			// Server and client lines may come in either order: compare the sorted lines, once
			// both loggers have written all of them.
			deadline := time.Now().Add(waitLimit)
			finishLines := 2 * 2 * len(callKinds) // server and client, OK and failed, each kind
			for (strings.Count(direct.String(), "finished call") < finishLines ||
				strings.Count(viaLogrus.String(), "finished call") < finishLines) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			got, want := sortedLines(direct.String()), sortedLines(viaLogrus.String())
			if !slices.Equal(got, want) {
				t.Errorf("direct lines:\n%s\nthrough logrus:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if n := strings.Count(strings.Join(got, "\n"), "finished call"); n != finishLines {
				t.Errorf("%d finish lines, want %d", n, finishLines)
			}
		})
	}
}

func sortedLines(text string) []string {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	slices.Sort(lines)
	return lines
}

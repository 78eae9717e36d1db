package logging_test

import (
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
)

// countingHandler counts the WithAttrs calls made on it and on the handlers derived from it.
type countingHandler struct {
	slog.Handler
	withAttrs *atomic.Int64
}

func (h countingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h.withAttrs.Add(1)
	return countingHandler{Handler: h.Handler.WithAttrs(attrs), withAttrs: h.withAttrs}
}

func (h countingHandler) WithGroup(name string) slog.Handler {
	return countingHandler{Handler: h.Handler.WithGroup(name), withAttrs: h.withAttrs}
}

// TestSlogGivesAMethodsFieldsToItsHandlerOnce: the slog backend hands the fields every line of
// a known method carries to the handler's WithAttrs once per method, not once per line, and the
// lines are the same as those of a method that is not known, whose fields are all the record's:
// the same keys in the same order.
func TestSlogGivesAMethodsFieldsToItsHandlerOnce(t *testing.T) {
	var out syncBuffer
	var withAttrs atomic.Int64
	logger := slog.New(countingHandler{Handler: slog.NewJSONHandler(&out, nil), withAttrs: &withAttrs})
	h := testsrv.Start(t, testsrv.WithServerOptions(append(interceptors.ServerOptions(logging.NewSlogServer(logger)),
		grpc.UnknownServiceHandler(testsrv.EchoAnything))...))
	const known, unknown = 5, 2
	for range known {
		if err := callEcho(noDeadline(t), h.Demo(), 0); err != nil {
			t.Fatal(err)
		}
	}
	for range unknown {
		if err := h.Conn.Invoke(noDeadline(t), "/other.v1.Service/Method", &demov1.EchoRequest{Message: "x"}, &demov1.EchoResponse{}); err != nil {
			t.Fatal(err)
		}
	}
	text := waitLines(t, &out, known+unknown, "server")
	if got := withAttrs.Load(); got != 1 {
		t.Errorf("WithAttrs was called %d times, want once (for Echo; never for a method that is not known)", got)
	}
	want := []string{"time", "level", "msg", "grpc.component", "grpc.service", "grpc.method", "grpc.method_type",
		"peer.address", "grpc.code", "grpc.time_ms"}
	for i, raw := range strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n") {
		if got := jsonKeys(t, raw); !slices.Equal(got, want) {
			t.Errorf("line %d has the keys %q, want %q:\n%s", i, got, want, raw)
		}
	}
	lines := decodeLines(t, text)
	if got := lines[0].str(logging.FieldMethod); got != "Echo" {
		t.Errorf("a known method's line has grpc.method %q, want Echo", got)
	}
	if got := lines[known].str(logging.FieldService) + "/" + lines[known].str(logging.FieldMethod); got != "other.v1.Service/Method" {
		t.Errorf("a method that is not known is logged as %q", got)
	}
}

// jsonKeys returns the keys of a JSON object's top level, in the order they are written.
func jsonKeys(t *testing.T, raw string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(raw))
	var keys []string
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key.(string))
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

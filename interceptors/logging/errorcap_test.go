package logging_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// maxErrorBytes is the cap of a logged error's text, before the "…" that marks a cut: the
// status page's (safetext.MaxMessageBytes).
const maxErrorBytes = 512

// echoIntoError makes what its client sent its error: the request's message, then the bytes
// of the "name-bin" metadata, which may be any bytes.
type echoIntoError struct {
	demov1.UnimplementedDemoServiceServer
}

func (echoIntoError) Echo(ctx context.Context, req *demov1.EchoRequest) (*demov1.EchoResponse, error) {
	name := req.GetMessage() + strings.Join(metadata.ValueFromIncomingContext(ctx, "name-bin"), "")
	return nil, status.Errorf(codes.InvalidArgument, "no such name: %s", name)
}

// A client decides what a server's error says; it does not decide how long the server's log
// line is, nor make it invalid UTF-8. Both sides cap the error's text, and the error itself
// stays reachable for hooks.
func TestTheErrorsTextIsCappedAndValidUTF8(t *testing.T) {
	const prefix = "rpc error: code = InvalidArgument desc = no such name: "
	huge := strings.Repeat("é", 128<<10) // 256 KB; each rune 2 bytes, so a cut may land mid-rune
	for _, tc := range []struct {
		name, message, binary string
		server, client        string // the whole error the line must show, or "" for a capped one
	}{
		{name: "a 256 KB message", message: huge},
		{name: "invalid UTF-8", message: "a", binary: "\xff\xfeb",
			// The server's error holds the bytes, each run of invalid ones becomes U+FFFD;
			// grpc-go sent the client U+FFFD for each invalid byte.
			server: prefix + "a\uFFFDb", client: prefix + "a\uFFFD\uFFFDb"},
		{name: "a 256 KB message with invalid UTF-8", message: huge, binary: "\xff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var filtered error // what the filter saw: the error whole
			keep := func(c filter.Call) bool {
				filtered = c.Err
				return true
			}
			r := startRig(t, rigConfig{
				serverOpts: []logging.Option{logging.WithFilter(keep)},
				harness: []testsrv.Option{testsrv.WithRegister(func(s *grpc.Server) {
					demov1.RegisterDemoServiceServer(s, echoIntoError{})
				})},
			})
			ctx := metadata.AppendToOutgoingContext(noDeadline(t), "name-bin", tc.binary)
			_, err := r.Demo().Echo(ctx, echoRequest(tc.message))
			if status.Code(err) != codes.InvalidArgument {
				t.Fatalf("Echo = %v, want InvalidArgument", err)
			}
			full := prefix + tc.message + tc.binary
			checkErrorField(t, "server", r.serverLog.wait(t, 1)[0], full, tc.server)
			checkErrorField(t, "client", r.clientLog.wait(t, 1)[0], full, tc.client)
			if filtered == nil || filtered.Error() != full {
				t.Errorf("the filter saw an error of %d bytes, want the whole %d", len(errText(filtered)), len(full))
			}
			if line := r.serverLog.lines()[0]; len(line) > 2*maxErrorBytes {
				t.Errorf("the server's JSON line is %d bytes, want under %d", len(line), 2*maxErrorBytes)
			}
		})
	}
}

// A panic value is the caller's too when the handler panics with what it was sent.
func TestAPanicsTextIsCapped(t *testing.T) {
	recoverInside := grpc.ChainUnaryInterceptor(recovery.UnaryServerInterceptor(
		recovery.WithRecoveryHandlerContext(interceptors.RecoverPanic)))
	panicWithMessage := func(context.Context, string, string) (context.Context, func(error)) {
		panic(strings.Repeat("€", 100<<10))
	}
	r := startRig(t, rigConfig{
		innerServer: []grpc.ServerOption{recoverInside},
		harness:     []testsrv.Option{withHook(panicWithMessage)},
	})
	if _, err := r.Demo().Echo(noDeadline(t), echoRequest("hi")); status.Code(err) != codes.Internal {
		t.Fatalf("Echo = %v, want Internal", err)
	}
	server := r.serverLog.wait(t, 1)[0]
	checkErrorField(t, "server", server, "panic: "+strings.Repeat("€", 100<<10), "")
	var p *interceptors.PanicError
	if err, _ := server.Data[logrus.ErrorKey].(error); !errors.As(err, &p) {
		t.Errorf("the error field %T does not unwrap to the *PanicError", server.Data[logrus.ErrorKey])
	}
}

// checkErrorField checks the error field of a side's line: want when it is given, or else full
// cut: valid UTF-8, at most maxErrorBytes of full's start, then "…". The field is still an
// error that unwraps to the call's (errors.As finds its status).
func checkErrorField(t *testing.T, side string, e logrus.Entry, full, want string) {
	t.Helper()
	err, ok := e.Data[logrus.ErrorKey].(error)
	if !ok {
		t.Fatalf("%s line: error field %T, want an error", side, e.Data[logrus.ErrorKey])
	}
	got := err.Error()
	if want != "" {
		if got != want {
			t.Errorf("%s line: error %q, want %q", side, got, want)
		}
		return
	}
	kept, marked := strings.CutSuffix(got, "…")
	if !marked || !utf8.ValidString(got) || len(kept) > maxErrorBytes || len(kept) <= maxErrorBytes-utf8.UTFMax ||
		!strings.HasPrefix(strings.ToValidUTF8(full, "\uFFFD"), kept) {
		t.Errorf("%s line: error of %d bytes (%.60q…), want valid UTF-8, the first %d bytes at most of the %d-byte error, then …",
			side, len(got), got, maxErrorBytes, len(full))
	}
	if code := status.Code(err); code != codes.InvalidArgument && code != codes.Internal {
		t.Errorf("%s line: the error field's status is %v, want the call's", side, code)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

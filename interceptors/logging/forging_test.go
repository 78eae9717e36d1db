package logging_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/baggage"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// hostile tries to end the line, start a forged one, and drive the terminal that shows it.
const hostile = "evil\n{\"level\":\"error\",\"msg\":\"forged\"}\r\nlevel=error msg=forged\x1b[2J\x1b]0;pwned\x07\u2028\u0085\"q\"\\\xff"

// formats are the outputs a call's lines must not be able to break out of.
var formats = map[string]logrus.Formatter{
	"json":         &jsonformat.Formatter{DisableTimestamp: true},
	"text":         &logrus.TextFormatter{DisableColors: true, DisableTimestamp: true},
	"colored text": &logrus.TextFormatter{ForceColors: true, DisableTimestamp: true},
}

// checkNoForgedLines fails unless out holds exactly one line per entry, none of them carrying
// the hostile string's raw control characters, and, in JSON, each line is an object.
func checkNoForgedLines(t *testing.T, format, out string, entries int) []map[string]any {
	t.Helper()
	if got := strings.Count(out, "\n"); got != entries {
		t.Fatalf("%s: %d entries wrote %d lines:\n%s", format, entries, got, out)
	}
	for _, raw := range []string{"\r", "\x1b[2J", "\x1b]", "\x07", "\u2028", "\u0085", "\xff"} {
		if strings.Contains(out, raw) {
			t.Errorf("%s: output holds the raw %q:\n%s", format, raw, out)
		}
	}
	if format != "json" {
		return nil
	}
	var objs []map[string]any
	for _, line := range strings.SplitAfter(strings.TrimSuffix(out, "\n"), "\n") {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("line is not a JSON object: %v: %s", err, line)
		}
		objs = append(objs, obj)
	}
	return objs
}

// decoded is what a JSON reader gets back for hostile: its one invalid byte replaced.
var decoded = strings.ToValidUTF8(hostile, "\ufffd")

func TestErrorsAndBaggageFromTheWireCannotForgeLines(t *testing.T) {
	failHostile := grpc.ChainUnaryInterceptor(func(context.Context, any, *grpc.UnaryServerInfo, grpc.UnaryHandler) (any, error) {
		return nil, status.Error(codes.Internal, hostile)
	})
	for name, formatter := range formats {
		t.Run(name, func(t *testing.T) {
			opts := []logging.Option{logging.WithBaggageFields("b"), logging.WithStartLine()}
			r := startRig(t, rigConfig{serverOpts: opts, clientOpts: opts, innerServer: []grpc.ServerOption{failHostile}})
			r.serverLog.SetFormatter(formatter)
			r.clientLog.SetFormatter(formatter)
			member, err := baggage.NewMemberRaw("b", decoded) // baggage is valid UTF-8
			if err != nil {
				t.Fatalf("baggage member: %v", err)
			}
			bag, err := baggage.New(member)
			if err != nil {
				t.Fatalf("baggage: %v", err)
			}
			callErr := callEcho(baggage.ContextWithBaggage(noDeadline(t), bag), r.Demo(), 0)
			// grpc-go hands the client the message with its invalid byte replaced.
			if got := status.Convert(callErr).Message(); got != decoded {
				t.Fatalf("Echo ended with %q, want the hostile message %q", got, decoded)
			}
			for side, log := range map[string]*logbook{"server": r.serverLog, "client": r.clientLog} {
				log.wait(t, 2)
				objs := checkNoForgedLines(t, name, log.out.String(), 2)
				if objs == nil {
					continue
				}
				wantErr := strings.ToValidUTF8(callErr.Error(), "\ufffd")
				if got := objs[1]["error"]; got != wantErr {
					t.Errorf("%s error = %q, want %q", side, got, wantErr)
				}
				for _, obj := range objs {
					if got := obj["baggage.b"]; got != decoded {
						t.Errorf("%s %s baggage.b = %q, want %q", side, obj["msg"], got, decoded)
					}
				}
			}
		})
	}
}

// hostileAddr is a peer address with a hostile name.
type hostileAddr struct{}

func (hostileAddr) Network() string { return "tcp" }
func (hostileAddr) String() string  { return hostile }

func TestMethodNamesAndPeerAddressesCannotForgeLines(t *testing.T) {
	// grpc-go refuses such names and addresses on the wire; the reportable takes whatever a
	// stack, ours or another, hands it.
	for name, formatter := range formats {
		t.Run(name, func(t *testing.T) {
			log := newLogbook()
			log.SetFormatter(formatter)
			ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: hostileAddr{}})
			rep, _ := logging.NewServer(log.Logger, logging.WithStartLine()).ServerReporter(ctx,
				interceptors.CallMeta{Service: hostile, Method: hostile, Typ: interceptors.GRPCType(hostile)})
			rep.PostCall(status.Error(codes.Unknown, hostile), 0)
			objs := checkNoForgedLines(t, name, log.out.String(), len(log.wait(t, 2)))
			for _, obj := range objs {
				for _, key := range []string{"grpc.service", "grpc.method", "grpc.method_type", "peer.address"} {
					if obj[key] != decoded {
						t.Errorf("%s %s = %q, want %q", obj["msg"], key, obj[key], decoded)
					}
				}
			}
		})
	}
}

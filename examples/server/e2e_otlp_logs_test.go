package main_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	collectorlogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/grpc"
)

// logRecord is a record the receiver got, with its resource's service.name and its scope.
type logRecord struct {
	service, scope string
	*logspb.LogRecord
}

func (r logRecord) attr(key string) string {
	for _, kv := range r.GetAttributes() {
		if kv.GetKey() == key {
			return kv.GetValue().GetStringValue()
		}
	}
	return ""
}

func (r logRecord) traceID() string { return hex.EncodeToString(r.GetTraceId()) }
func (r logRecord) spanID() string  { return hex.EncodeToString(r.GetSpanId()) }

// otlpLogsReceiver is a real OTLP/gRPC logs receiver: the collector's logs service.
type otlpLogsReceiver struct {
	collectorlogs.UnimplementedLogsServiceServer
	addr string

	mu      sync.Mutex
	records []logRecord
	changed chan struct{}
}

func startOTLPLogsReceiver(t *testing.T) *otlpLogsReceiver {
	t.Helper()
	r := &otlpLogsReceiver{changed: make(chan struct{})}
	r.addr = serveOTLP(t, func(srv *grpc.Server) { collectorlogs.RegisterLogsServiceServer(srv, r) })
	return r
}

func (r *otlpLogsReceiver) Export(_ context.Context, req *collectorlogs.ExportLogsServiceRequest) (*collectorlogs.ExportLogsServiceResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rl := range req.GetResourceLogs() {
		var service string
		for _, kv := range rl.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				service = kv.GetValue().GetStringValue()
			}
		}
		for _, sl := range rl.GetScopeLogs() {
			for _, rec := range sl.GetLogRecords() {
				r.records = append(r.records, logRecord{service: service, scope: sl.GetScope().GetName(), LogRecord: rec})
			}
		}
	}
	close(r.changed)
	r.changed = make(chan struct{})
	return &collectorlogs.ExportLogsServiceResponse{}, nil
}

// waitRecord waits for a record that match accepts.
func (r *otlpLogsReceiver) waitRecord(t *testing.T, what string, within time.Duration, match func(logRecord) bool) logRecord {
	t.Helper()
	deadline := time.After(within)
	for {
		r.mu.Lock()
		for _, rec := range r.records {
			if match(rec) {
				r.mu.Unlock()
				return rec
			}
		}
		changed := r.changed
		n := len(r.records)
		r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%s did not reach the OTLP receiver within %v (it got %d records)", what, within, n)
		}
	}
}

// from counts the records of service.
func (r *otlpLogsReceiver) from(service string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, rec := range r.records {
		if rec.service == service {
			n++
		}
	}
	return n
}

// buildClient compiles examples/client once per test run.
var buildClient = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "grpcobs-e2e-client-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "client")
	out, err := exec.Command("go", "build", "-o", bin, "../client").CombinedOutput()
	if err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return bin, nil
})

// runClient runs the examples/client binary to its end and returns its stdout.
func runClient(t *testing.T, env []string, args ...string) string {
	t.Helper()
	bin, err := buildClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("client %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// TestLogsOverOTLPCarryTheCallsTraceID: with OTEL_LOGS_EXPORTER=otlp, the example server and
// client, on either -log-backend, send their lines through that backend's OpenTelemetry
// bridge to a real OTLP receiver. A call's finished-call records, the client's and the
// server's, and the handler's line arrive under the call's trace id, each with its own span id;
// a failed call's error arrives as exception.message and exception.type; stdout keeps its JSON
// lines. The batches are set to wait for ten minutes, so every record
// that arrives was flushed at exit: the client's when its calls are done, the server's by
// SIGTERM's shutdown, up to its last line.
func TestLogsOverOTLPCarryTheCallsTraceID(t *testing.T) {
	for _, backend := range []string{"logrus", "slog"} {
		t.Run("log-backend="+backend, func(t *testing.T) {
			receiver := startOTLPLogsReceiver(t)
			env := []string{
				"OTEL_TRACES_EXPORTER=none",
				"OTEL_LOGS_EXPORTER=otlp",
				"OTEL_EXPORTER_OTLP_PROTOCOL=grpc",
				"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + receiver.addr,
				"OTEL_BLRP_SCHEDULE_DELAY=600000",
			}
			srv := startServer(t, env, "-grpc-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0", "-admin-addr", "",
				"-drain", "100ms", "-log-backend", backend)
			serving := srv.waitLine(t, "its serving line", func(l map[string]any) bool { return l["msg"] == "serving" })
			if got, want := stringField(serving, "log.backend")+" "+stringField(serving, "logs.exporter"), backend+" otlp"; got != want {
				t.Errorf("serving line: log.backend and logs.exporter = %q, want %q", got, want)
			}

			out := runClient(t, env, "-addr", stringField(serving, "grpc.addr"), "-log-backend", backend)
			echo := regexp.MustCompile(`(?m)^Echo\s+OK\s+([0-9a-f]{32})$`).FindStringSubmatch(out)
			if echo == nil {
				t.Fatalf("the client printed no Echo OK line:\n%s", out)
			}
			traceID := echo[1]
			failed := regexp.MustCompile(`(?m)^Echo\s+NotFound\s+([0-9a-f]{32})$`).FindStringSubmatch(out)
			if failed == nil {
				t.Fatalf("the client printed no Echo NotFound line:\n%s", out)
			}
			isEcho := func(service, msg string) func(logRecord) bool {
				return func(r logRecord) bool {
					return r.service == service && r.GetBody().GetStringValue() == msg &&
						r.traceID() == traceID && r.attr("grpc.method") == "Echo"
				}
			}
			client := receiver.waitRecord(t, "the client's finished-call record of the Echo", 10*time.Second, isEcho("grpcobs-demo-client", "finished call"))
			checkCallRecord(t, client, traceID, "github.com/grpcobs/grpcobs/examples/client")

			// The server's lines wait in its batch: SIGTERM's shutdown flushes them.
			if n := receiver.from("grpcobs-demo-server"); n != 0 {
				t.Fatalf("%d server records arrived before SIGTERM: the test cannot tell that the shutdown flushed them", n)
			}
			// stdout keeps its JSON lines, written by the backend asked for.
			line := srv.waitLine(t, "the Echo's finished-call line", func(l map[string]any) bool {
				return l["msg"] == "finished call" && l["trace_id"] == traceID
			})
			if want := map[string]string{"logrus": "info", "slog": "INFO"}[backend]; line["level"] != want {
				t.Errorf("stdout line level = %v, want %q (written by %s)", line["level"], want, backend)
			}
			if code := srv.terminate(t, 15*time.Second); code != 0 {
				t.Fatalf("exit code after SIGTERM = %d, want 0", code)
			}

			server := receiver.waitRecord(t, "the server's finished-call record of the Echo", 10*time.Second, isEcho("grpcobs-demo-server", "finished call"))
			checkCallRecord(t, server, traceID, "github.com/grpcobs/grpcobs/examples/server")
			if server.spanID() == client.spanID() {
				t.Errorf("the server's record has the client's span id %s, want the server span's", server.spanID())
			}
			handler := receiver.waitRecord(t, "the Echo handler's record", 10*time.Second, isEcho("grpcobs-demo-server", "handling request"))
			if id := handler.spanID(); id == server.spanID() || id == "" || id == "0000000000000000" {
				t.Errorf("the handler's record has span id %q, want its own child span's (the server span is %s)", id, server.spanID())
			}
			if handler.attr("span_id") != handler.spanID() {
				t.Errorf("the handler's record: span_id attribute %q, record span id %s, want the same", handler.attr("span_id"), handler.spanID())
			}
			receiver.waitRecord(t, "the server's last line, stopped", 10*time.Second, func(r logRecord) bool {
				return r.service == "grpcobs-demo-server" && r.GetBody().GetStringValue() == "stopped"
			})

			// A failed call's error field, an error value, is the record's error: the SDK writes
			// it as exception.message and exception.type, on both bridges, and no "error".
			for _, service := range []string{"grpcobs-demo-client", "grpcobs-demo-server"} {
				r := receiver.waitRecord(t, service+"'s record of the failed Echo", 10*time.Second, func(r logRecord) bool {
					return r.service == service && r.GetBody().GetStringValue() == "finished call" && r.traceID() == failed[1]
				})
				if r.attr("grpc.code") != "NotFound" || r.attr("exception.message") != "rpc error: code = NotFound desc = failure requested with fail_code 5" ||
					r.attr("exception.type") != "*status.Error" || r.attr("error") != "" {
					t.Errorf("%s's record of the failed Echo: grpc.code %q, exception.message %q, exception.type %q, error %q; want NotFound, the error's text, *status.Error, no error attribute",
						service, r.attr("grpc.code"), r.attr("exception.message"), r.attr("exception.type"), r.attr("error"))
				}
			}
		})
	}
}

// checkCallRecord checks what a finished-call record carries: the call's trace id in the
// record and as an attribute, a span id, the call's fields, INFO, the example's scope.
func checkCallRecord(t *testing.T, r logRecord, traceID, scope string) {
	t.Helper()
	if id := r.spanID(); len(r.GetSpanId()) != 8 || strings.Trim(id, "0") == "" {
		t.Errorf("%s record: span id %q, want the call span's", r.service, id)
	}
	if r.attr("trace_id") != traceID || r.attr("span_id") != r.spanID() {
		t.Errorf("%s record: trace_id, span_id attributes %q, %q, want the record's %s, %s", r.service, r.attr("trace_id"), r.attr("span_id"), traceID, r.spanID())
	}
	if r.attr("grpc.code") != "OK" || r.attr("grpc.service") != "grpcobs.demo.v1.DemoService" {
		t.Errorf("%s record: grpc.code %q, grpc.service %q, want OK and the demo service", r.service, r.attr("grpc.code"), r.attr("grpc.service"))
	}
	if r.GetSeverityNumber() != logspb.SeverityNumber_SEVERITY_NUMBER_INFO {
		t.Errorf("%s record: severity %v, want INFO", r.service, r.GetSeverityNumber())
	}
	if r.scope != scope {
		t.Errorf("%s record: scope %q, want %q", r.service, r.scope, scope)
	}
}

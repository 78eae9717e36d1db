package tracing_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"
)

// rawEcho calls Echo over plain HTTP/2 with the given extra headers: grpc-go's client refuses
// to send metadata values that are not printable ASCII, an attacker's client does not.
func rawEcho(t *testing.T, addr string, header http.Header) (grpcStatus string, resp *demov1.EchoResponse) {
	t.Helper()
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true) // gRPC's plaintext HTTP/2, with prior knowledge
	defer tr.CloseIdleConnections()

	msg, err := proto.Marshal(&demov1.EchoRequest{Message: "raw"})
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	frame := make([]byte, 5, 5+len(msg))
	binary.BigEndian.PutUint32(frame[1:], uint32(len(msg)))
	frame = append(frame, msg...)

	req, err := http.NewRequestWithContext(testContext(t), http.MethodPost,
		"http://"+addr+"/grpcobs.demo.v1.DemoService/Echo", bytes.NewReader(frame))
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("Te", "trailers")
	res, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("round trip: %v", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if len(body) >= 5 {
		resp = &demov1.EchoResponse{}
		if err := proto.Unmarshal(body[5:], resp); err != nil {
			t.Fatalf("unmarshal response: %v", err)
		}
	}
	return res.Trailer.Get("Grpc-Status"), resp
}

func TestNonASCIIAndInvalidUTF8TraceContextFromARawHTTP2Client(t *testing.T) {
	for _, tc := range []struct {
		name        string
		header      http.Header
		wantChild   bool
		wantBaggage map[string]string
	}{
		{name: "invalid UTF-8 traceparent", header: http.Header{"traceparent": {"00-\xff\xfe" + callerTraceID[4:] + "-" + callerSpanID + "-01"}}},
		{name: "non-ASCII traceparent", header: http.Header{"traceparent": {"00-" + callerTraceID + "-" + callerSpanID + "-0\u00e9"}}},
		{name: "invalid UTF-8 baggage and tracestate next to a valid traceparent", header: http.Header{
			"traceparent": {validParent},
			"tracestate":  {"vendor=\xff"},
			"baggage":     {"user=\xff\xfe,good=ok,\u00e9t\u00e9=summer"},
		}, wantChild: true, wantBaggage: map[string]string{"good": "ok"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTraces(t)
			var view handlerView
			server := tracing.NewServer(tracing.WithTracerProvider(tr), tracing.WithBaggageAttributes("user", "good"))
			h := testsrv.Start(t, testsrv.WithTCP(), testsrv.WithServerOptions(interceptors.ServerOptions(server)...), withHook(view.hook))

			code, resp := rawEcho(t, h.Addr, tc.header)
			if code != "0" || resp.GetMessage() != "raw" {
				t.Fatalf("raw Echo: grpc-status %q, response %v; want 0 and the echo", code, resp)
			}
			span := only(t, tr.ended(t, 1), trace.SpanKindServer, echoMethod)
			if span.Parent().IsValid() != tc.wantChild {
				t.Errorf("span parent %v, want child = %v", span.Parent(), tc.wantChild)
			}
			if span.SpanContext().TraceState().Len() != 0 {
				t.Errorf("trace state %q, want none", span.SpanContext().TraceState())
			}
			want := tc.wantBaggage
			if want == nil {
				want = map[string]string{}
			}
			if diff := cmp.Diff(want, view.last(t).baggage); diff != "" {
				t.Errorf("handler baggage (-want +got):\n%s", diff)
			}
			for k, v := range attrs(span.Attributes()) {
				if !utf8.ValidString(v) {
					t.Errorf("attribute %s = %q is not valid UTF-8", k, v)
				}
			}
		})
	}
}

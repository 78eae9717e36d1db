package attempts_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	shared "github.com/grpcobs/grpcobs/internal/attempts"
	"github.com/grpcobs/grpcobs/internal/firstlaw"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// gRFC A66's attempt metrics, recorded by an A66 otelmetrics client with WithAttempts, through
// the same real retry policies: the demo server fails the first attempts of an Echo call
// (EchoRequest.unavailable_attempts) or every attempt of a stream (fail_code), and grpc-go
// retries them. Each test asserts every point of each attempt metric: how many attempts
// started, how many ended with each code, and the compressed bytes each attempt sent and
// received, which are the messages' sizes (no compressor is configured).

const (
	attemptStarted  = "grpc.client.attempt.started"
	attemptDuration = "grpc.client.attempt.duration"
	attemptSent     = "grpc.client.attempt.sent_total_compressed_message_size"
	attemptRcvd     = "grpc.client.attempt.rcvd_total_compressed_message_size"
	callDuration    = "grpc.client.call.duration"
)

// a66Client is a demo server and a client whose stack holds an A66 otelmetrics signal that
// follows attempts, under a service config, read through a ManualReader.
type a66Client struct {
	h      *testsrv.Harness
	reader *sdkmetric.ManualReader
}

func startA66Client(t *testing.T, serviceConfig string, opts ...testsrv.Option) *a66Client {
	t.Helper()
	c := &a66Client{reader: sdkmetric.NewManualReader()}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(c.reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	client := append(interceptors.DialOptions(otelmetrics.NewClient(
		otelmetrics.WithMeterProvider(mp), otelmetrics.WithA66(), otelmetrics.WithAttempts(),
	)), grpc.WithDefaultServiceConfig(serviceConfig))
	c.h = testsrv.Start(t, append([]testsrv.Option{testsrv.WithDialOptions(client...)}, opts...)...)
	return c
}

// point is what a test asserts of one data point: a counter's value, or a histogram's count
// and sum.
type point struct {
	Count uint64
	Sum   float64 // histograms of sizes only: durations depend on the clock
}

// points reads every point of the metric named, keyed by its attributes ("k=v k=v", sorted),
// with the target written as T.
func (c *a66Client) points(t *testing.T, name string) map[string]point {
	t.Helper()
	return readPoints(t, c.reader, name, c.h.Conn.CanonicalTarget())
}

// readPoints reads every point of the metric named from reader, keyed by its attributes
// ("k=v k=v", sorted), with target (unless "") written as T.
func readPoints(t *testing.T, reader *sdkmetric.ManualReader, name, target string) map[string]point {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect: %v", err)
	}
	key := func(set attribute.Set) string {
		var kvs []string
		for _, kv := range set.ToSlice() {
			v := kv.Value.String()
			if target != "" {
				v = strings.ReplaceAll(v, target, "T")
			}
			kvs = append(kvs, fmt.Sprintf("%s=%s", kv.Key, v))
		}
		slices.Sort(kvs)
		return strings.Join(kvs, " ")
	}
	out := map[string]point{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch data := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range data.DataPoints {
					out[key(p.Attributes)] = point{Count: uint64(p.Value)}
				}
			case metricdata.Histogram[float64]:
				for _, p := range data.DataPoints {
					out[key(p.Attributes)] = point{Count: p.Count}
				}
			case metricdata.Histogram[int64]:
				for _, p := range data.DataPoints {
					out[key(p.Attributes)] = point{Count: p.Count, Sum: float64(p.Sum)}
				}
			default:
				t.Fatalf("%s is a %T", name, m.Data)
			}
		}
	}
	return out
}

// expect asserts the points of each metric named in want.
func (c *a66Client) expect(t *testing.T, want map[string]map[string]point) {
	t.Helper()
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for name := range want {
			if !yield(name) {
				return
			}
		}
	}) {
		if diff := cmp.Diff(want[name], c.points(t, name)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// seconds is the sum of every point of the float64 histogram named.
func (c *a66Client) seconds(t *testing.T, name string) float64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := c.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect: %v", err)
	}
	var sum float64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if data, ok := m.Data.(metricdata.Histogram[float64]); ok && m.Name == name {
				for _, p := range data.DataPoints {
					sum += p.Sum
				}
			}
		}
	}
	return sum
}

// started and ended are the attributes of an attempt of a DemoService method, without and
// with its status.
func started(method string) string {
	return "grpc.method=grpcobs.demo.v1.DemoService/" + method + " grpc.target=T"
}

func ended(method, code string) string {
	return "grpc.method=grpcobs.demo.v1.DemoService/" + method + " grpc.status=" + code + " grpc.target=T"
}

// echo makes one Echo call that the server fails on its first unavailable attempts, and
// returns the compressed sizes of its request and of a response, and its error.
func (c *a66Client) echo(ctx context.Context, unavailable int32) (req, resp float64, err error) {
	in := &demov1.EchoRequest{Message: "retried", UnavailableAttempts: unavailable}
	_, err = c.h.Demo().Echo(ctx, in)
	return float64(proto.Size(in)), float64(proto.Size(&demov1.EchoResponse{Message: in.GetMessage()})), err
}

func TestA66AttemptsOfACallRetriedOnce(t *testing.T) {
	c := startA66Client(t, shared.RetryPolicy(3, "0.01s", 1, ""))
	req, resp, err := c.echo(testContext(t), 1)
	if err != nil {
		t.Fatalf("Echo = %v, want OK after one retry", err)
	}
	c.expect(t, map[string]map[string]point{
		attemptStarted:  {started("Echo"): {Count: 2}},
		attemptDuration: {ended("Echo", "UNAVAILABLE"): {Count: 1}, ended("Echo", "OK"): {Count: 1}},
		// Each attempt sent the request; only the second received a response.
		attemptSent:  {ended("Echo", "UNAVAILABLE"): {Count: 1, Sum: req}, ended("Echo", "OK"): {Count: 1, Sum: req}},
		attemptRcvd:  {ended("Echo", "UNAVAILABLE"): {Count: 1, Sum: 0}, ended("Echo", "OK"): {Count: 1, Sum: resp}},
		callDuration: {ended("Echo", "OK"): {Count: 1}},
	})
}

func TestA66AttemptsOfACallNeverRetried(t *testing.T) {
	c := startA66Client(t, shared.RetryPolicy(3, "0.01s", 1, ""))
	req, resp, err := c.echo(testContext(t), 0)
	if err != nil {
		t.Fatalf("Echo = %v, want OK", err)
	}
	c.expect(t, map[string]map[string]point{
		attemptStarted:  {started("Echo"): {Count: 1}},
		attemptDuration: {ended("Echo", "OK"): {Count: 1}},
		attemptSent:     {ended("Echo", "OK"): {Count: 1, Sum: req}},
		attemptRcvd:     {ended("Echo", "OK"): {Count: 1, Sum: resp}},
		callDuration:    {ended("Echo", "OK"): {Count: 1}},
	})
}

func TestA66AttemptsWhenEveryAttemptFails(t *testing.T) {
	c := startA66Client(t, shared.RetryPolicy(3, "0.01s", 1, ""))
	req, _, err := c.echo(testContext(t), 3)
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("Echo = %v, want UNAVAILABLE after three attempts", err)
	}
	c.expect(t, map[string]map[string]point{
		attemptStarted:  {started("Echo"): {Count: 3}},
		attemptDuration: {ended("Echo", "UNAVAILABLE"): {Count: 3}},
		attemptSent:     {ended("Echo", "UNAVAILABLE"): {Count: 3, Sum: 3 * req}},
		attemptRcvd:     {ended("Echo", "UNAVAILABLE"): {Count: 3, Sum: 0}},
		callDuration:    {ended("Echo", "UNAVAILABLE"): {Count: 1}},
	})
}

// The channel's token bucket (4 tokens, one lost per failed attempt, retries only while more
// than half is left) stops a policy of five attempts after two.
func TestA66AttemptsUnderRetryThrottling(t *testing.T) {
	c := startA66Client(t, shared.RetryPolicy(5, "0.01s", 1, `{"maxTokens": 4, "tokenRatio": 0.1}`))
	req, _, err := c.echo(testContext(t), 5)
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("Echo = %v, want UNAVAILABLE", err)
	}
	c.expect(t, map[string]map[string]point{
		attemptStarted:  {started("Echo"): {Count: 2}},
		attemptDuration: {ended("Echo", "UNAVAILABLE"): {Count: 2}},
		attemptSent:     {ended("Echo", "UNAVAILABLE"): {Count: 2, Sum: 2 * req}},
		attemptRcvd:     {ended("Echo", "UNAVAILABLE"): {Count: 2, Sum: 0}},
		callDuration:    {ended("Echo", "UNAVAILABLE"): {Count: 1}},
	})
}

// The second backoff (10 ms × 1000, ±20%) outlasts the deadline: the call ends
// DEADLINE_EXCEEDED while grpc-go waits, after two attempts that each ended UNAVAILABLE. The
// call's code is not an attempt's.
func TestA66AttemptsWhenTheDeadlinePassesBetweenThem(t *testing.T) {
	c := startA66Client(t, shared.RetryPolicy(5, "0.01s", 1000, ""))
	ctx, cancel := context.WithTimeout(testContext(t), 2*time.Second)
	defer cancel()
	req, _, err := c.echo(ctx, 5)
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("Echo = %v, want DEADLINE_EXCEEDED", err)
	}
	c.expect(t, map[string]map[string]point{
		attemptStarted:  {started("Echo"): {Count: 2}},
		attemptDuration: {ended("Echo", "UNAVAILABLE"): {Count: 2}},
		attemptSent:     {ended("Echo", "UNAVAILABLE"): {Count: 2, Sum: 2 * req}},
		attemptRcvd:     {ended("Echo", "UNAVAILABLE"): {Count: 2, Sum: 0}},
		callDuration:    {ended("Echo", "DEADLINE_EXCEEDED"): {Count: 1}},
	})
	// Each attempt lasts from its start to its end: together they are shorter than the call,
	// which also waited out the backoffs and the deadline (about 2 s).
	if attempts, call := c.seconds(t, attemptDuration), c.seconds(t, callDuration); attempts <= 0 || attempts >= call || call < 1.9 {
		t.Errorf("the attempts lasted %.3fs together, the call %.3fs; want 0 < attempts < call, and the call about 2s", attempts, call)
	}
}

// A server stream that ends UNAVAILABLE before the server sends anything is not committed:
// grpc-go retries it, and each attempt sends the request again.
func TestA66AttemptsOfAStreamRetriedBeforeItCommits(t *testing.T) {
	c := startA66Client(t, shared.RetryPolicy(3, "0.01s", 1, ""))
	req := &demov1.ServerStreamRequest{Message: "retried", FailCode: int32(codes.Unavailable)}
	stream, err := c.h.Demo().ServerStream(testContext(t), req)
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	if _, err := stream.Recv(); status.Code(err) != codes.Unavailable {
		t.Fatalf("Recv = %v, want UNAVAILABLE after three attempts", err)
	}
	size := float64(proto.Size(req))
	c.expect(t, map[string]map[string]point{
		attemptStarted:  {started("ServerStream"): {Count: 3}},
		attemptDuration: {ended("ServerStream", "UNAVAILABLE"): {Count: 3}},
		attemptSent:     {ended("ServerStream", "UNAVAILABLE"): {Count: 3, Sum: 3 * size}},
		attemptRcvd:     {ended("ServerStream", "UNAVAILABLE"): {Count: 3, Sum: 0}},
		callDuration:    {ended("ServerStream", "UNAVAILABLE"): {Count: 1}},
	})
}

// A stream the server refuses before any handler sees it (firstlaw.Refusal: a Chat holds the
// server's only stream slot) is retried transparently, with no retry policy: two attempts,
// the first UNAVAILABLE, each having sent the request.
func TestA66AttemptsOfATransparentRetry(t *testing.T) {
	refused := make(chan struct{})
	refusal := &firstlaw.Refusal{OnRefused: func() { close(refused) }}
	c := startA66Client(t, `{}`, testsrv.WithTCP(),
		testsrv.WithServerOptions(grpc.MaxConcurrentStreams(1)),
		testsrv.WithDialOptions(grpc.WithContextDialer(refusal.Dial)))
	ctx, demo := testContext(t), c.h.Demo()
	holder, err := demo.Chat(ctx)
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	chatReq := &demov1.ChatRequest{Message: "holds the slot"}
	if err := holder.Send(chatReq); err != nil {
		t.Fatalf("Chat Send: %v", err)
	}
	chatResp, err := holder.Recv()
	if err != nil {
		t.Fatalf("Chat Recv: %v", err)
	}
	req := &demov1.ServerStreamRequest{Message: "refused, then retried", Count: 1}
	stream, err := demo.ServerStream(ctx, req)
	if err != nil {
		t.Fatalf("ServerStream: %v", err)
	}
	select {
	case <-refused:
	case <-ctx.Done():
		t.Fatal("the server never refused the stream")
	}
	if err := holder.CloseSend(); err != nil {
		t.Fatalf("Chat CloseSend: %v", err)
	}
	if _, err := holder.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Chat end = %v, want io.EOF", err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatalf("Recv = %v, want the one message", err)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("final Recv = %v, want io.EOF", err)
	}
	size, respSize := float64(proto.Size(req)), float64(proto.Size(resp))
	chatSent, chatRcvd := float64(proto.Size(chatReq)), float64(proto.Size(chatResp))
	c.expect(t, map[string]map[string]point{
		attemptStarted:  {started("Chat"): {Count: 1}, started("ServerStream"): {Count: 2}},
		attemptDuration: {ended("Chat", "OK"): {Count: 1}, ended("ServerStream", "UNAVAILABLE"): {Count: 1}, ended("ServerStream", "OK"): {Count: 1}},
		attemptSent: {
			ended("Chat", "OK"):                  {Count: 1, Sum: chatSent},
			ended("ServerStream", "UNAVAILABLE"): {Count: 1, Sum: size},
			ended("ServerStream", "OK"):          {Count: 1, Sum: size},
		},
		attemptRcvd: {
			ended("Chat", "OK"):                  {Count: 1, Sum: chatRcvd},
			ended("ServerStream", "UNAVAILABLE"): {Count: 1, Sum: 0},
			ended("ServerStream", "OK"):          {Count: 1, Sum: respSize},
		},
		callDuration: {ended("Chat", "OK"): {Count: 1}, ended("ServerStream", "OK"): {Count: 1}},
	})
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/grpcobs/grpcobs/examples/internal/telemetry"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/baggage"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
)

// demoCall is one call of the demo, run inside its own root span.
type demoCall struct {
	name     string
	wantCode codes.Code
	call     func(ctx context.Context, client demov1.DemoServiceClient) error
}

func demoCalls() []demoCall {
	return []demoCall{
		{name: "Echo", call: callEcho},
		{name: "ServerStream", call: callServerStream},
		{name: "ClientStream", call: callClientStream},
		{name: "Chat", call: callChat},
	}
}

// failingCall fails on purpose, to show an error in every signal.
var failingCall = demoCall{name: "Echo", wantCode: codes.NotFound, call: func(ctx context.Context, c demov1.DemoServiceClient) error {
	_, err := c.Echo(ctx, &demov1.EchoRequest{Message: "please fail", FailCode: int32(codes.NotFound)})
	return err
}}

// retriedCall is an Echo whose first attempt the server refuses with UNAVAILABLE
// (unavailable_attempts 1): the retry policy of retryServiceConfig makes a second attempt,
// which succeeds. Its call span has a child span per attempt, each the parent of the server
// span of that attempt, and its log line counts the attempts.
var retriedCall = demoCall{name: "Echo-retried", call: func(ctx context.Context, c demov1.DemoServiceClient) error {
	_, err := c.Echo(ctx, &demov1.EchoRequest{Message: "retry me", UnavailableAttempts: 1})
	return err
}}

// outageCall, made by -loop only, fails with a server error: the server refuses every
// attempt with UNAVAILABLE (fail_code 14), so the retry policy makes three and gives up.
var outageCall = demoCall{name: "Echo-unavailable", wantCode: codes.Unavailable, call: func(ctx context.Context, c demov1.DemoServiceClient) error {
	_, err := c.Echo(ctx, &demov1.EchoRequest{Message: "outage", FailCode: int32(codes.Unavailable)})
	return err
}}

// retryServiceConfig retries DemoService's Echo on UNAVAILABLE, up to three attempts, as a
// service owner would configure it.
const retryServiceConfig = `{"methodConfig": [{
	"name": [{"service": "grpcobs.demo.v1.DemoService", "method": "Echo"}],
	"retryPolicy": {"maxAttempts": 3, "initialBackoff": "0.05s", "maxBackoff": "0.2s",
		"backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}
}]}`

// callAll makes the demo's calls and prints what happened.
func callAll(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	tel, err := telemetry.New(ctx, "grpcobs-demo-client", stderr)
	if err != nil {
		return err
	}
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(flushCtx)
	}()

	clientMetrics := metrics.NewClientMetrics(metrics.WithAttempts())
	metricsRegistry := prometheus.NewRegistry()
	metricsRegistry.MustRegister(clientMetrics)

	conn, err := grpc.NewClient(cfg.addr, append(interceptors.DialOptions(
		tracing.NewClient(tracing.WithTracerProvider(tel.Provider), tracing.WithAttemptSpans()),
		clientMetrics,
		otelmetrics.NewClient(otelmetrics.WithMeterProvider(tel.Meters)),
		newLogging(cfg.logBackend, stderr, tel),
	), grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithDefaultServiceConfig(retryServiceConfig))...)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", cfg.addr, err)
	}
	defer func() { _ = conn.Close() }()
	client := demov1.NewDemoServiceClient(conn)
	tracer := tel.Provider.Tracer("github.com/grpcobs/grpcobs/examples/client")
	ctx = baggage.ContextWithBaggage(ctx, cfg.baggage)

	var plan []demoCall
	for range cfg.calls {
		plan = append(plan, demoCalls()...)
	}
	plan = append(plan, failingCall, retriedCall)
	c := caller{addr: cfg.addr, client: client, tracer: tracer, timeout: cfg.timeout, out: stdout}

	fmt.Fprintf(stdout, "%-17s %-17s %s\n", "CALL", "CODE", "TRACE ID")
	var unexpected tally
	if cfg.loop {
		plan = append(plan, outageCall)
		err = c.loop(ctx, plan, cfg.rate, cfg.duration, &unexpected)
	} else {
		err = c.once(ctx, plan, &unexpected)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	if err := printSummary(stdout, metricsRegistry); err != nil {
		return err
	}
	return unexpected.err()
}

// newLogging is the logging signal, writing JSON lines to out through the backend named, and
// also through OpenTelemetry's bridge for it when OTEL_LOGS_EXPORTER asks for an exporter.
// Its records carry the trace and span ids of each call's context.
func newLogging(backend string, out io.Writer, tel *telemetry.Setup) *logging.Client {
	const scope = "github.com/grpcobs/grpcobs/examples/client"
	if backend == "slog" {
		return logging.NewSlogClient(slog.New(tel.SlogHandler(slog.NewJSONHandler(out, nil), scope, slog.LevelInfo)))
	}
	logger := logrus.New()
	logger.SetOutput(out)
	logger.SetFormatter(&jsonformat.Formatter{})
	tel.AddLogrusHook(logger, scope)
	return logging.NewClient(logger)
}

func callEcho(ctx context.Context, c demov1.DemoServiceClient) error {
	_, err := c.Echo(ctx, &demov1.EchoRequest{Message: "hello"})
	return err
}

func callServerStream(ctx context.Context, c demov1.DemoServiceClient) error {
	stream, err := c.ServerStream(ctx, &demov1.ServerStreamRequest{Message: "tick", Count: 3})
	if err != nil {
		return err
	}
	for {
		if _, err := stream.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func callClientStream(ctx context.Context, c demov1.DemoServiceClient) error {
	stream, err := c.ClientStream(ctx)
	if err != nil {
		return err
	}
	for _, m := range []string{"one", "two", "three"} {
		if err := stream.Send(&demov1.ClientStreamRequest{Message: m}); err != nil {
			break // the status comes from CloseAndRecv
		}
	}
	_, err = stream.CloseAndRecv()
	return err
}

func callChat(ctx context.Context, c demov1.DemoServiceClient) error {
	stream, err := c.Chat(ctx)
	if err != nil {
		return err
	}
	for _, m := range []string{"hi", "how are you", "bye"} {
		if err := stream.Send(&demov1.ChatRequest{Message: m}); err != nil {
			break
		}
		if _, err := stream.Recv(); err != nil {
			return err
		}
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

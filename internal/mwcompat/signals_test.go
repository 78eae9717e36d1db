package mwcompat_test

import (
	"testing"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/firstlaw"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

const testTimeout = firstlaw.Timeout

// configuration is one grpcobs signal, configured one way, on both sides.
type configuration struct {
	name string
	// reportables returns the server's and the client's reportable, recording to o.
	reportables func(t *testing.T, o *firstlaw.Observers) (mw.ServerReportable, mw.ClientReportable)
	// want is what each side records of the calls made.
	want func(calls []call) firstlaw.Records
}

func TestEverySignalUnderGoGRPCMiddlewareInterceptors(t *testing.T) {
	echoOnly := func(c call) bool { return c.method == "Echo" }
	failed := func(c call) bool { return c.want != codes.OK }
	none := func(call) bool { return false }
	sampled := func(t *testing.T, o *firstlaw.Observers) tracing.Option {
		return tracing.WithTracerProvider(o.TracerProvider(t, sdktrace.AlwaysSample()))
	}
	configurations := []configuration{
		{
			name: "tracing, sampled",
			reportables: func(t *testing.T, o *firstlaw.Observers) (mw.ServerReportable, mw.ClientReportable) {
				return tracing.NewServer(sampled(t, o)), tracing.NewClient(sampled(t, o))
			},
			want: spans(all),
		},
		{
			name: "tracing, never sampled",
			reportables: func(t *testing.T, o *firstlaw.Observers) (mw.ServerReportable, mw.ClientReportable) {
				never := tracing.WithTracerProvider(o.TracerProvider(t, sdktrace.NeverSample()))
				return tracing.NewServer(never), tracing.NewClient(never)
			},
			want: spans(none),
		},
		{
			name: "tracing, global no-op provider",
			reportables: func(*testing.T, *firstlaw.Observers) (mw.ServerReportable, mw.ClientReportable) {
				return tracing.NewServer(), tracing.NewClient()
			},
			want: spans(none),
		},
		{
			name: "tracing, filter keeps Echo, sampled",
			reportables: func(t *testing.T, o *firstlaw.Observers) (mw.ServerReportable, mw.ClientReportable) {
				filter := tracing.WithFilter(filter.Methods("/" + demoService + "/Echo"))
				return tracing.NewServer(sampled(t, o), filter), tracing.NewClient(sampled(t, o), filter)
			},
			want: spans(echoOnly),
		},
		{
			name: "tracing, filter drops every call, sampled",
			reportables: func(t *testing.T, o *firstlaw.Observers) (mw.ServerReportable, mw.ClientReportable) {
				filter := tracing.WithFilter(filter.Not(filter.Services(demoService)))
				return tracing.NewServer(sampled(t, o), filter), tracing.NewClient(sampled(t, o), filter)
			},
			want: spans(none),
		},
		{
			name: "metrics",
			reportables: func(_ *testing.T, o *firstlaw.Observers) (mw.ServerReportable, mw.ClientReportable) {
				server, client := metrics.NewServerMetrics(), metrics.NewClientMetrics()
				o.Registry.MustRegister(server, client)
				return server, client
			},
			want: func(calls []call) firstlaw.Records {
				names := codeNames(calls, all)
				return firstlaw.Records{Handled: names, Started: float64(len(names))}
			},
		},
		{
			name: "logging",
			reportables: func(_ *testing.T, o *firstlaw.Observers) (mw.ServerReportable, mw.ClientReportable) {
				return logging.NewServer(o.ServerLogger), logging.NewClient(o.ClientLogger)
			},
			want: lines(all),
		},
		{
			name: "logging, filter keeps failed calls",
			reportables: func(_ *testing.T, o *firstlaw.Observers) (mw.ServerReportable, mw.ClientReportable) {
				filter := logging.WithFilter(filter.Failed())
				return logging.NewServer(o.ServerLogger, filter), logging.NewClient(o.ClientLogger, filter)
			},
			want: lines(failed),
		},
		{
			name: "logging, filter drops every call",
			reportables: func(_ *testing.T, o *firstlaw.Observers) (mw.ServerReportable, mw.ClientReportable) {
				filter := logging.WithFilter(filter.Not(filter.Services(demoService)))
				return logging.NewServer(o.ServerLogger, filter), logging.NewClient(o.ClientLogger, filter)
			},
			want: lines(none),
		},
	}
	for _, cfg := range configurations {
		t.Run(cfg.name, func(t *testing.T) {
			o := firstlaw.NewObservers()
			server, client := cfg.reportables(t, o)
			h := testsrv.Start(t, testsrv.WithServerOptions(
				grpc.ChainUnaryInterceptor(mw.UnaryServerInterceptor(server)),
				grpc.ChainStreamInterceptor(mw.StreamServerInterceptor(server)),
			))
			conn, err := h.Dial(
				grpc.WithChainUnaryInterceptor(mw.UnaryClientInterceptor(client)),
				grpc.WithChainStreamInterceptor(mw.StreamClientInterceptor(client)),
			)
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			defer func() { _ = conn.Close() }()

			makeCalls(t, demov1.NewDemoServiceClient(conn), mix)
			want := cfg.want(mix)
			o.Expect(t, firstlaw.ServerSide, want)
			o.Expect(t, firstlaw.ClientSide, want)
		})
	}
}

func all(call) bool { return true }

// spans is what tracing records: a span per kept call, with its code.
func spans(keep func(call) bool) func([]call) firstlaw.Records {
	return func(calls []call) firstlaw.Records { return firstlaw.Records{Spans: codeNames(calls, keep)} }
}

// lines is what logging records: a finished-call line per kept call, with its code.
func lines(keep func(call) bool) func([]call) firstlaw.Records {
	return func(calls []call) firstlaw.Records { return firstlaw.Records{Lines: codeNames(calls, keep)} }
}

func codeNames(calls []call, keep func(call) bool) []string {
	var kept []codes.Code
	for _, c := range calls {
		if keep(c) {
			kept = append(kept, c.want)
		}
	}
	return firstlaw.CodeNames(kept)
}

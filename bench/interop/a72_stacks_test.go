package interop

import (
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	experimental "google.golang.org/grpc/experimental/opentelemetry"
	"google.golang.org/grpc/stats/opentelemetry"
)

// a72Stack is one of the two tracers the gRFC A72 comparison runs the same calls through:
// its server and client options, given the provider that records the spans.
type a72Stack struct {
	name   string
	server func(trace.TracerProvider) []grpc.ServerOption
	client func(trace.TracerProvider) []grpc.DialOption
}

// a72Grpcobs is grpcobs tracing on both sides, the client following every attempt
// (tracing.WithAttemptSpans), with its default W3C propagation.
var a72Grpcobs = a72Stack{
	name: "grpcobs",
	server: func(tp trace.TracerProvider) []grpc.ServerOption {
		return interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tp)))
	},
	client: func(tp trace.TracerProvider) []grpc.DialOption {
		return interceptors.DialOptions(tracing.NewClient(tracing.WithTracerProvider(tp), tracing.WithAttemptSpans()))
	},
}

// a72GrpcGo is grpc-go's own OpenTelemetry plugin (google.golang.org/grpc/stats/opentelemetry)
// with its experimental A72 tracing on both sides and no metrics, propagating W3C trace
// context and baggage (the plugin takes the propagator it is given; A72's own default,
// grpc-trace-bin, would not reach a grpcobs server).
var a72GrpcGo = a72Stack{
	name: "grpc-go",
	server: func(tp trace.TracerProvider) []grpc.ServerOption {
		return []grpc.ServerOption{opentelemetry.ServerOption(grpcGoTraceOptions(tp))}
	},
	client: func(tp trace.TracerProvider) []grpc.DialOption {
		return []grpc.DialOption{opentelemetry.DialOption(grpcGoTraceOptions(tp))}
	},
}

func grpcGoTraceOptions(tp trace.TracerProvider) opentelemetry.Options {
	return opentelemetry.Options{TraceOptions: experimental.TraceOptions{TracerProvider: tp, TextMapPropagator: w3c}}
}

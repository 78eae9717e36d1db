package bench

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"

	mwlogging "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/logging/jsonformat"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// BenchmarkLogging compares, in one run, what logging one server call costs: grpcobs logging
// (with its JSON formatter, with logrus' stock one, and through log/slog's JSONHandler) against
// the anchor, go-grpc-middleware's logging interceptor writing through the logrus adapter of
// that project's examples (logrusAdapter) with logrus' stock JSONFormatter, and against the
// same interceptor writing through logging.InterceptorLogger with the fast formatter and
// through the slog adapter of its examples (slogAdapter) with slog's JSONHandler. Every variant logs one "finished
// call" line per call with the same fields (component, service, method, method type, peer
// address, code, time, trace and span ids; go-grpc-middleware adds grpc.start_time, which it
// cannot leave out) to io.Discard. The interceptors are called directly, with the span context
// and the peer already in the context, so that only logging is measured; "no logging" is
// grpcobs' stack with nothing to report, for reference.
//
//	cd bench && go test -run '^$' -bench BenchmarkLogging -benchmem -count 6 .
func BenchmarkLogging(b *testing.B) {
	variants := []struct {
		name   string
		unary  func() grpc.UnaryServerInterceptor
		stream func() grpc.StreamServerInterceptor
	}{
		{
			name:   "no logging",
			unary:  func() grpc.UnaryServerInterceptor { return interceptors.UnaryServerInterceptor() },
			stream: func() grpc.StreamServerInterceptor { return interceptors.StreamServerInterceptor() },
		},
		{
			name: "grpcobs",
			unary: func() grpc.UnaryServerInterceptor {
				return interceptors.UnaryServerInterceptor(logging.NewServer(logAnchorLogger(&jsonformat.Formatter{})))
			},
			stream: func() grpc.StreamServerInterceptor {
				return interceptors.StreamServerInterceptor(logging.NewServer(logAnchorLogger(&jsonformat.Formatter{})))
			},
		},
		{
			name: "grpcobs with logrus.JSONFormatter",
			unary: func() grpc.UnaryServerInterceptor {
				return interceptors.UnaryServerInterceptor(logging.NewServer(logAnchorLogger(&logrus.JSONFormatter{})))
			},
			stream: func() grpc.StreamServerInterceptor {
				return interceptors.StreamServerInterceptor(logging.NewServer(logAnchorLogger(&logrus.JSONFormatter{})))
			},
		},
		{
			name: "grpcobs through slog.JSONHandler",
			unary: func() grpc.UnaryServerInterceptor {
				return interceptors.UnaryServerInterceptor(logging.NewSlogServer(logAnchorSlogger()))
			},
			stream: func() grpc.StreamServerInterceptor {
				return interceptors.StreamServerInterceptor(logging.NewSlogServer(logAnchorSlogger()))
			},
		},
		{
			name: "go-grpc-middleware through slog.JSONHandler",
			unary: func() grpc.UnaryServerInterceptor {
				return mwlogging.UnaryServerInterceptor(slogAdapter(logAnchorSlogger()), logAnchorOptions...)
			},
			stream: func() grpc.StreamServerInterceptor {
				return mwlogging.StreamServerInterceptor(slogAdapter(logAnchorSlogger()), logAnchorOptions...)
			},
		},
		{
			name: "go-grpc-middleware through logging.InterceptorLogger",
			unary: func() grpc.UnaryServerInterceptor {
				return mwlogging.UnaryServerInterceptor(logging.InterceptorLogger(logAnchorLogger(&jsonformat.Formatter{})), logAnchorOptions...)
			},
			stream: func() grpc.StreamServerInterceptor {
				return mwlogging.StreamServerInterceptor(logging.InterceptorLogger(logAnchorLogger(&jsonformat.Formatter{})), logAnchorOptions...)
			},
		},
		{
			name: "anchor: go-grpc-middleware with a logrus adapter",
			unary: func() grpc.UnaryServerInterceptor {
				return mwlogging.UnaryServerInterceptor(logrusAdapter(logAnchorLogger(&logrus.JSONFormatter{})), logAnchorOptions...)
			},
			stream: func() grpc.StreamServerInterceptor {
				return mwlogging.StreamServerInterceptor(logrusAdapter(logAnchorLogger(&logrus.JSONFormatter{})), logAnchorOptions...)
			},
		},
	}

	ctx := logAnchorContext()
	req, resp := &demov1.EchoRequest{Message: "hello"}, &demov1.EchoResponse{Message: "hello"}
	unaryInfo := &grpc.UnaryServerInfo{FullMethod: "/grpcobs.demo.v1.DemoService/Echo"}
	unaryHandler := func(context.Context, any) (any, error) { return resp, nil }
	streamInfo := &grpc.StreamServerInfo{FullMethod: "/grpcobs.demo.v1.DemoService/ServerStream", IsServerStream: true}
	streamHandler := func(_ any, ss grpc.ServerStream) error {
		if err := ss.RecvMsg(req); err != nil {
			return err
		}
		for range 2 {
			if err := ss.SendMsg(resp); err != nil {
				return err
			}
		}
		return nil
	}

	for _, v := range variants {
		b.Run("unary/"+v.name, func(b *testing.B) {
			interceptor := v.unary()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := interceptor(ctx, req, unaryInfo, unaryHandler); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, v := range variants {
		b.Run("server stream/"+v.name, func(b *testing.B) {
			interceptor := v.stream()
			stream := &logAnchorStream{ctx: ctx}
			b.ReportAllocs()
			for b.Loop() {
				if err := interceptor(nil, stream, streamInfo, streamHandler); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// logAnchorOptions make go-grpc-middleware log what grpcobs logs: the finish line only, with
// the trace ids (traceFields, as in the anchor stack) and without its "protocol" field.
var logAnchorOptions = []mwlogging.Option{
	mwlogging.WithLogOnEvents(mwlogging.FinishCall),
	mwlogging.WithDisableLoggingFields("protocol"),
	mwlogging.WithFieldsFromContext(traceFields),
}

func logAnchorLogger(f logrus.Formatter) *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	l.SetFormatter(f)
	return l
}

func logAnchorSlogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// logAnchorContext is a server call's context as the logging layer sees it: a peer, incoming
// metadata, and the span the tracing layer started.
func logAnchorContext() context.Context {
	ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 54321}})
	ctx = metadata.NewIncomingContext(ctx, metadata.Pairs("user-agent", "grpc-go/1.85.0"))
	return trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	}))
}

// logAnchorStream is a server stream that sends and receives nothing.
type logAnchorStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *logAnchorStream) Context() context.Context { return s.ctx }
func (s *logAnchorStream) SendMsg(any) error        { return nil }
func (s *logAnchorStream) RecvMsg(any) error        { return nil }

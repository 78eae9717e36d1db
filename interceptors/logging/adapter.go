package logging

import (
	"context"
	"fmt"
	"maps"

	mwlogging "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"
)

// InterceptorLogger adapts a logrus logger (a *logrus.Logger, a *logrus.Entry carrying base
// fields, or any logrus.FieldLogger; logrus.StandardLogger() when nil) to go-grpc-middleware's
// logging.Logger, for users of that project's logging interceptor:
//
//	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(
//		mwlogging.UnaryServerInterceptor(logging.InterceptorLogger(logger)),
//	))
//
// Each line is logged with the interceptor's context as the entry's Context, so that logrus
// hooks (OpenTelemetry's logrus bridge, for one) see the span, and carries trace_id and span_id
// from that context when the span context is valid and the fields do not already have them.
// Levels map to the nearest logrus level (below debug is trace). A protobuf message in a field
// (the interceptor's payload logging) is rendered as protojson, with its debug_redact fields
// redacted. A key that is not a string is logged under its fmt.Sprint form, and a key without
// a value gets "".
func InterceptorLogger(l logrus.FieldLogger) mwlogging.Logger {
	base := baseEntry(l)
	return mwlogging.LoggerFunc(func(ctx context.Context, lvl mwlogging.Level, msg string, fields ...any) {
		level := logrusLevel(lvl)
		if !base.Logger.IsLevelEnabled(level) {
			return
		}
		data := make(logrus.Fields, len(base.Data)+(len(fields)+1)/2+2)
		maps.Copy(data, base.Data)
		for i := 0; i < len(fields); i += 2 {
			key, ok := fields[i].(string)
			if !ok {
				key = fmt.Sprint(fields[i])
			}
			var value any = ""
			if i+1 < len(fields) {
				value = fields[i+1]
			}
			if m, ok := value.(proto.Message); ok {
				value = renderMessage(m, nil)
			}
			data[key] = value
		}
		if span := trace.SpanContextFromContext(ctx); span.IsValid() {
			if _, ok := data[FieldTraceID]; !ok {
				data[FieldTraceID] = span.TraceID().String()
			}
			if _, ok := data[FieldSpanID]; !ok {
				data[FieldSpanID] = span.SpanID().String()
			}
		}
		entry := logrus.Entry{Logger: base.Logger, Data: data, Time: base.Time, Context: ctx}
		entry.Log(level, msg)
	})
}

// baseEntry is the entry whose logger and fields every line starts from.
func baseEntry(l logrus.FieldLogger) *logrus.Entry {
	switch v := l.(type) {
	case nil:
		return logrus.NewEntry(logrus.StandardLogger())
	case *logrus.Logger:
		if v == nil {
			return logrus.NewEntry(logrus.StandardLogger())
		}
		return logrus.NewEntry(v)
	case *logrus.Entry:
		if v == nil || v.Logger == nil {
			return logrus.NewEntry(logrus.StandardLogger())
		}
		return v
	default:
		if e := v.WithFields(nil); e != nil && e.Logger != nil {
			return e
		}
		return logrus.NewEntry(logrus.StandardLogger())
	}
}

// logrusLevel maps a go-grpc-middleware (slog) level to the nearest logrus level.
func logrusLevel(l mwlogging.Level) logrus.Level {
	switch {
	case l < mwlogging.LevelDebug:
		return logrus.TraceLevel
	case l < mwlogging.LevelInfo:
		return logrus.DebugLevel
	case l < mwlogging.LevelWarn:
		return logrus.InfoLevel
	case l < mwlogging.LevelError:
		return logrus.WarnLevel
	default:
		return logrus.ErrorLevel
	}
}

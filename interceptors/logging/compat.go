package logging

import (
	"strconv"
	"time"
)

// The fields go-grpc-middleware's logging interceptor names or types differently
// (WithGoGRPCMiddlewareFields).
const (
	mwFieldProtocol  = "protocol"
	mwFieldStartTime = "grpc.start_time"
	mwFieldError     = "grpc.error"
)

// mwProtocolValue is the value of mwFieldProtocol, boxed once.
var mwProtocolValue any = "grpc"

// WithGoGRPCMiddlewareFields writes the call's lines with the field names and value types of
// go-grpc-middleware's logging interceptor (v2, with its default options), so that dashboards,
// queries and alerts written for that interceptor read grpcobs' lines unchanged:
//
//   - every line also carries "protocol": "grpc" and "grpc.start_time", the call's start as
//     RFC 3339 in seconds;
//   - grpc.request.deadline is RFC 3339 in seconds, not nanoseconds;
//   - grpc.time_ms is a string (go-grpc-middleware's "%v" of a float32 of milliseconds, to the
//     microsecond), not a number; the start line carries it too, the time since the call
//     started;
//   - a failed call's error is the string "grpc.error", not "error" (still capped at 512
//     bytes).
//
// The other fields, the messages and the levels stay grpcobs' (docs/logging.md, "Migrating
// from go-grpc-middleware's logging interceptor", maps every field, says which lines cannot
// match and why, and how to keep its levels too): the fields go-grpc-middleware does not
// write (trace_id, span_id, attempts, baggage, metadata, panic stacks) are still written,
// next to its own. It takes no value, so it has nothing to refuse. It works on both backends.
// Default: grpcobs' own names and types (the Field constants).
func WithGoGRPCMiddlewareFields() Option {
	return func(o *options) { o.mwFields = true }
}

// mwTimeMS is a duration as go-grpc-middleware's DurationToTimeMillisFields writes it: the
// shortest text of a float32 of milliseconds, truncated to the microsecond, as fmt's "%v"
// writes a float32.
func mwTimeMS(d time.Duration) string {
	return strconv.FormatFloat(float64(float32(d.Nanoseconds()/1000)/1000), 'g', -1, 32)
}

// mwStartTime is the call's start as go-grpc-middleware writes it, from the stack's clock
// reading (or now, outside a stack).
func mwStartTime(start time.Time) int64 {
	if start.IsZero() {
		start = time.Now()
	}
	return start.UnixNano()
}

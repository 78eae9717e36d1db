package interceptors

import (
	"context"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"google.golang.org/grpc"
)

// The reporting contract is go-grpc-middleware's, so every grpcobs signal also works with that
// project's own interceptors, and theirs with our stack.
type (
	// CallMeta describes a call: its kind, service, method, side and (unary) request.
	CallMeta = mw.CallMeta
	// Reporter is told about each message and, exactly once, about the end of the call.
	//
	// In the grpcobs stack: on a unary server call, PostMsgReceive(req) comes before the
	// handler and PostMsgSend(resp, err) after it; on a unary client call, PostMsgSend(req)
	// comes before the invoker and PostMsgReceive(reply, err) after it. On streams, each
	// SendMsg and RecvMsg is reported with its own error (io.EOF included). PostCall comes last,
	// once, with the call's final error (nil for OK) and the time since the call started.
	Reporter = mw.Reporter
	// ServerReportable starts the reporting of a server call.
	ServerReportable = mw.ServerReportable
	// ClientReportable starts the reporting of a client call.
	ClientReportable = mw.ClientReportable
	// GRPCType is the call's kind: unary, client_stream, server_stream or bidi_stream.
	GRPCType = mw.GRPCType
)

// ConnReportable is a ClientReportable that also wants the connection each call goes out on,
// for what only the connection knows, such as the target it dials (tracing's server.address
// and server.port). The grpcobs client interceptors call ClientReporterForConn instead of
// ClientReporter; other interceptors, go-grpc-middleware's among them, call ClientReporter.
type ConnReportable interface {
	ClientReportable
	ClientReporterForConn(ctx context.Context, meta CallMeta, cc *grpc.ClientConn) (Reporter, context.Context)
}

// MessageDurationIgnorer is implemented by a reportable whose reporters ignore the duration
// given to PostMsgSend and PostMsgReceive. When every reportable of a stack says so, the stack
// does not read the clock around each message (two reads per message, on streams the larger
// part of the stack's own per-message cost) and gives those methods a zero duration, for every
// message. Every grpcobs signal implements it; a reportable that does not, go-grpc-middleware's
// for instance, gets the durations as before.
//
// The stack asks once, when it is built. A type that embeds a grpcobs signal inherits its
// answer: if it returns reporters of its own that read message durations, it must override
// IgnoresMessageDurations to return false.
type MessageDurationIgnorer interface {
	IgnoresMessageDurations() bool
}

// messageTimer times messages, or does not when no reportable reads their durations.
type messageTimer bool

// newMessageTimer returns the timer of a stack of reportables: on unless each one ignores
// message durations.
func newMessageTimer[T any](reportables []T) messageTimer {
	for _, r := range reportables {
		if ignorer, ok := any(r).(MessageDurationIgnorer); !ok || !ignorer.IgnoresMessageDurations() {
			return true
		}
	}
	return false
}

// now is the time a message operation starts, or the zero time when messages are not timed.
func (t messageTimer) now() time.Time {
	if t {
		return time.Now()
	}
	return time.Time{}
}

// since is the time since start, or 0 when messages are not timed.
func (t messageTimer) since(start time.Time) time.Duration {
	if t {
		return time.Since(start)
	}
	return 0
}

// measured is d, a duration measured anyway, or 0 when messages are not timed, so that every
// message of an untimed stack reports the same zero.
func (t messageTimer) measured(d time.Duration) time.Duration {
	if t {
		return d
	}
	return 0
}

// The four call kinds.
const (
	Unary        = mw.Unary
	ClientStream = mw.ClientStream
	ServerStream = mw.ServerStream
	BidiStream   = mw.BidiStream
)

// maxInlineReporters is how many reporters a call holds without an extra allocation.
const maxInlineReporters = 4

// startServerReporters starts every reportable's reporting of a server call, in order, each
// seeing the context the previous one derived, and appends the reporters to reps.
func startServerReporters(reps []Reporter, reportables []ServerReportable, ctx context.Context, meta CallMeta) ([]Reporter, context.Context) {
	for _, r := range reportables {
		var rep Reporter
		rep, ctx = r.ServerReporter(ctx, meta)
		if rep != nil {
			reps = append(reps, rep)
		}
	}
	return reps, ctx
}

// startClientReporters starts every reportable's reporting of a client call on cc, in order,
// each seeing the context the previous one derived, and appends the reporters to reps.
func startClientReporters(reps []Reporter, reportables []ClientReportable, ctx context.Context, meta CallMeta, cc *grpc.ClientConn) ([]Reporter, context.Context) {
	for _, r := range reportables {
		var rep Reporter
		if withConn, ok := r.(ConnReportable); ok {
			rep, ctx = withConn.ClientReporterForConn(ctx, meta, cc)
		} else {
			rep, ctx = r.ClientReporter(ctx, meta)
		}
		if rep != nil {
			reps = append(reps, rep)
		}
	}
	return reps, ctx
}

func postMsgSend(reps []Reporter, msg any, err error, d time.Duration) {
	for _, rep := range reps {
		rep.PostMsgSend(msg, err, d)
	}
}

func postMsgReceive(reps []Reporter, msg any, err error, d time.Duration) {
	for _, rep := range reps {
		rep.PostMsgReceive(msg, err, d)
	}
}

// postCall reports the end of the call, last reporter first, like deferred calls unwinding.
func postCall(reps []Reporter, err error, d time.Duration) {
	for i := len(reps) - 1; i >= 0; i-- {
		reps[i].PostCall(err, d)
	}
}

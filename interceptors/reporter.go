package interceptors

import (
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
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
	//
	// A reportable must never return a nil Reporter: go-grpc-middleware's interceptors call
	// the one they get. For a call it does not record, it returns go-grpc-middleware's
	// NoopReporter{}, which the grpcobs stack leaves out of the call.
	Reporter = mw.Reporter
	// ServerReportable starts the reporting of a server call.
	ServerReportable = mw.ServerReportable
	// ClientReportable starts the reporting of a client call.
	ClientReportable = mw.ClientReportable
	// GRPCType is the call's kind: unary, client_stream, server_stream or bidi_stream.
	GRPCType = mw.GRPCType
)

// The four call kinds.
const (
	Unary        = mw.Unary
	ClientStream = mw.ClientStream
	ServerStream = mw.ServerStream
	BidiStream   = mw.BidiStream
)

// maxInlineReporters is how many reporters a call holds without an extra allocation.
const maxInlineReporters = 4

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

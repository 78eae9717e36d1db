// Package signal is the private contract between the grpcobs stack (package interceptors) and
// grpcobs' own signals (tracing, metrics, logging, …). Its types live in an internal package
// so that only grpcobs' packages can implement the interfaces: they are performance and
// ordering hooks, not an extension point. Any other reportable is driven through
// go-grpc-middleware's public Reporter contract alone.
package signal

import (
	"context"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"google.golang.org/grpc"
)

// Rank is where a grpcobs signal runs in a stack: lower ranks start first and see the call end
// last. The stack orders grpcobs' signals by rank whatever order they were passed in.
type Rank int

const (
	// RankTracing comes first: it puts the span and the extracted baggage into the context.
	RankTracing Rank = iota + 1
	// RankMeasure is for the signals that read the span (exemplars, trace ids).
	RankMeasure
	// RankLogging comes last: its fields read the span and the baggage.
	RankLogging
)

// Traits is what a grpcobs signal tells the stack about itself.
type Traits struct {
	// Rank orders the signal among grpcobs' signals.
	Rank Rank
	// IgnoresMessageDurations says the signal's reporters ignore the durations given to
	// PostMsgSend and PostMsgReceive. When every reportable of a stack says so, the stack does
	// not read the clock around each message.
	IgnoresMessageDurations bool
	// StatusPolicy is the interceptors.StatusPolicy the signal follows, or nil for a signal
	// that does not tell errors apart. The stack refuses signals of one side that follow
	// different policies.
	StatusPolicy any
}

// Signal is implemented by grpcobs' own reportables.
type Signal interface {
	SignalTraits() Traits
}

// Call is what the stack knows of a call when it starts its reporting: more than CallMeta.
type Call struct {
	// Meta describes the call.
	Meta mw.CallMeta
	// Start is the stack's one clock reading for the call's start; the duration given to
	// PostCall is measured from it.
	Start time.Time
	// Conn is the client connection a client call goes out on; nil on servers.
	Conn *grpc.ClientConn
	// Registered says a server call reached a method registered on the server: a unary call
	// always does, a stream call does unless the server's unknown-service handler took it
	// (grpc-go gives that handler, and a service registered with a nil implementation, a nil
	// srv). A registered method is bounded by the server's own registrations, so signals may
	// name it without asking the known-method set. False on clients.
	Registered bool
}

// ServerStarter is a grpcobs server reportable that wants the whole Call.
type ServerStarter interface {
	StartServerCall(ctx context.Context, call Call) (mw.Reporter, context.Context)
}

// ClientStarter is a grpcobs client reportable that wants the whole Call.
type ClientStarter interface {
	StartClientCall(ctx context.Context, call Call) (mw.Reporter, context.Context)
}

// IsNoop reports whether rep is the no-op Reporter (go-grpc-middleware's NoopReporter) that
// grpcobs' signals return for a call they do not record (filtered, unsampled). They return it
// rather than nil because go-grpc-middleware's interceptors call whatever Reporter they get;
// the grpcobs stack leaves it out of the call.
func IsNoop(rep mw.Reporter) bool {
	_, ok := rep.(mw.NoopReporter)
	return ok || rep == nil
}

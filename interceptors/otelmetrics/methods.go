package otelmetrics

import (
	"sync/atomic"

	"github.com/grpcobs/grpcobs/interceptors/internal/rpcconv"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// method is what recording a call needs from its method and connection alone, computed once:
// the attributes of each instrument but the status ones, and, per code, the record options
// with every attribute, built at the code's first call.
type method struct {
	core     *core
	duration []attribute.KeyValue // nil when the duration histogram is not recorded
	legacy   []attribute.KeyValue // nil unless rpc/old or rpc/dup
	started  []metric.AddOption   // grpc.server.call.started's, A66 servers only
	// attemptStarted are grpc.client.attempt.started's (grpc.method, grpc.target), A66
	// clients with WithAttempts only.
	attemptStarted []metric.AddOption
	ends           [numCodes]atomic.Pointer[endOptions]
}

// endOptions are the record options of the calls that end with one code.
type endOptions struct {
	duration, legacy []metric.RecordOption
}

// method returns the method entry of a call, kept in the call's Method slot (the stack's one
// cache; on a client, one per target). A known method (signal.Call.Known) gets attribute
// values of its own; every other call is recorded under the convention's "other" name.
func (c *core) method(call signal.Call) *method {
	if m, ok := call.Method.Slot(call.Slot).(*method); ok {
		return m
	}
	name := otherCallee(c.conv)
	if call.Known {
		service, method := call.Meta.Service, call.Meta.Method
		if call.Method != nil {
			service, method = call.Method.Key.Service, call.Method.Key.Method // the cache's own copies
		}
		name = callee{full: service + "/" + method, service: service, method: method}
	}
	m := c.newMethod(name, call.Conn)
	call.Method.Store(call.Slot, m)
	return m
}

func (c *core) newMethod(name callee, cc *grpc.ClientConn) *method {
	var server []attribute.KeyValue
	var target string
	if c.isClient {
		if cc != nil {
			server = rpcconv.ServerAttributes(cc.Target(), cc.CanonicalTarget())
			target = cc.CanonicalTarget()
		}
		if c.conv&conventionsA66 != 0 {
			target = c.targets.value(target)
		}
	}
	m := &method{
		core:     c,
		duration: c.conv.durationAttributes(name, server, target, c.isClient),
		legacy:   c.conv.legacyAttributes(name, server),
	}
	if c.conv&conventionsA66 != 0 && !c.isClient {
		m.started = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(m.duration...))}
	}
	if c.attempts {
		// The plugin labels an attempt's start as the call's duration but its status.
		m.attemptStarted = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(m.duration...))}
	}
	return m
}

// endOptions returns the record options of a call of the method that ended with code (one of
// the 17 gRPC codes).
func (m *method) endOptions(code codes.Code) *endOptions {
	if e := m.ends[code].Load(); e != nil {
		return e
	}
	e := &endOptions{}
	if m.duration != nil {
		isError := m.core.policy.IsError(m.core.isClient, code)
		attrs := append(m.duration[:len(m.duration):len(m.duration)], m.core.conv.durationStatus(code, isError)...)
		e.duration = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attrs...))}
	}
	if m.legacy != nil {
		attrs := append(m.legacy[:len(m.legacy):len(m.legacy)], legacyStatus(code))
		e.legacy = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attrs...))}
	}
	m.ends[code].Store(e)
	return e
}

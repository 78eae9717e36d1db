package interceptors_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"google.golang.org/grpc/codes"
)

// recorder is a reportable that records everything the stack tells it.
type recorder struct {
	name string
	log  *eventLog

	mu    sync.Mutex
	calls []*recordedCall
}

// eventLog orders the events of several recorders, to check the stack's order.
type eventLog struct {
	mu     sync.Mutex
	events []string
}

func (l *eventLog) add(e string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.events...)
}

type ctxKey string

type recordedCall struct {
	meta       interceptors.CallMeta
	sawCtxKeys []string

	mu        sync.Mutex
	sent      int
	received  int
	postCalls int
	err       error
	duration  time.Duration
	done      chan struct{}
}

func newRecorder(name string, log *eventLog) *recorder {
	return &recorder{name: name, log: log}
}

func (r *recorder) start(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	c := &recordedCall{meta: meta, done: make(chan struct{})}
	for _, k := range []string{"first", "second"} {
		if ctx.Value(ctxKey(k)) != nil {
			c.sawCtxKeys = append(c.sawCtxKeys, k)
		}
	}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	r.log.add(r.name + ".start")
	return &callReporter{r: r, c: c}, context.WithValue(ctx, ctxKey(r.name), true)
}

func (r *recorder) ServerReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return r.start(ctx, meta)
}

func (r *recorder) ClientReporter(ctx context.Context, meta interceptors.CallMeta) (interceptors.Reporter, context.Context) {
	return r.start(ctx, meta)
}

func (r *recorder) snapshot() []*recordedCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*recordedCall(nil), r.calls...)
}

type callReporter struct {
	r *recorder
	c *recordedCall
}

func (cr *callReporter) PostCall(err error, d time.Duration) {
	cr.c.mu.Lock()
	cr.c.postCalls++
	first := cr.c.postCalls == 1
	cr.c.err, cr.c.duration = err, d
	cr.c.mu.Unlock()
	cr.r.log.add(cr.r.name + ".end")
	if first {
		close(cr.c.done)
	}
}

func (cr *callReporter) PostMsgSend(_ any, err error, _ time.Duration) {
	if err != nil {
		return
	}
	cr.c.mu.Lock()
	defer cr.c.mu.Unlock()
	if cr.c.postCalls > 0 {
		panic("PostMsgSend after PostCall")
	}
	cr.c.sent++
}

func (cr *callReporter) PostMsgReceive(_ any, err error, _ time.Duration) {
	if err != nil && !errors.Is(err, io.EOF) {
		return
	}
	cr.c.mu.Lock()
	defer cr.c.mu.Unlock()
	if cr.c.postCalls > 0 {
		panic("PostMsgReceive after PostCall")
	}
	if err == nil {
		cr.c.received++
	}
}

// outcome is what a recorded call ended with.
type outcome struct {
	Service, Method string
	Type            interceptors.GRPCType
	IsClient        bool
	Sent, Received  int
	PostCalls       int
	Code            codes.Code
}

func (c *recordedCall) outcome() outcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	return outcome{
		Service: c.meta.Service, Method: c.meta.Method, Type: c.meta.Typ, IsClient: c.meta.IsClient,
		Sent: c.sent, Received: c.received, PostCalls: c.postCalls, Code: interceptors.Code(c.err),
	}
}

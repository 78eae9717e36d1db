package main

import (
	"context"
	"fmt"
	"io"
	"time"

	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// caller makes demo calls one at a time, each in its own root span, and prints a line per call.
type caller struct {
	addr    string
	client  demov1.DemoServiceClient
	tracer  trace.Tracer
	timeout time.Duration
	out     io.Writer
}

// call makes c and prints its name, code and trace id.
func (r caller) call(ctx context.Context, c demoCall) (codes.Code, error) {
	callCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	callCtx, span := r.tracer.Start(callCtx, "demo "+c.name)
	err := c.call(callCtx, r.client)
	span.End()
	code := status.Code(err)
	fmt.Fprintf(r.out, "%-17s %-17s %s\n", c.name, code, span.SpanContext().TraceID())
	return code, err
}

// once makes every call of plan once.
func (r caller) once(ctx context.Context, plan []demoCall, unexpected *tally) error {
	for i, c := range plan {
		code, err := r.call(ctx, c)
		if i == 0 && code == codes.Unavailable {
			return fmt.Errorf("cannot reach the server at %s: %w", r.addr, err)
		}
		unexpected.check(c, code, err)
	}
	return nil
}

// loop makes the calls of plan in turn, rate a second, until ctx is done or duration (when
// positive) has passed. A call cut short by the end is not a failure.
func (r caller) loop(ctx context.Context, plan []demoCall, rate float64, duration time.Duration, unexpected *tally) error {
	if duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, duration)
		defer cancel()
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for i := 0; ; i++ {
		c := plan[i%len(plan)]
		code, err := r.call(ctx, c)
		if ended(ctx) {
			return nil
		}
		if i == 0 && code == codes.Unavailable {
			return fmt.Errorf("cannot reach the server at %s: %w", r.addr, err)
		}
		unexpected.check(c, code, err)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// ended reports whether ctx is done or its deadline has passed: the server, which enforces the
// deadline the call carries, can end a call with DEADLINE_EXCEEDED a moment before the client's
// own timer ends ctx.
func ended(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ctx.Err() != nil || (ok && !time.Now().Before(deadline))
}

// tally counts the calls that did not end with the code they expect, keeping the first few.
type tally struct {
	n     int
	first []string
}

func (t *tally) check(c demoCall, code codes.Code, err error) {
	if code == c.wantCode {
		return
	}
	t.n++
	if len(t.first) < 10 {
		t.first = append(t.first, fmt.Sprintf("%s: %v", c.name, err))
	}
}

func (t *tally) err() error {
	if t.n == 0 {
		return nil
	}
	return fmt.Errorf("%d calls did not end as expected: %v", t.n, t.first)
}

package main_test

import (
	"context"
	"encoding/hex"
	"net"
	"sync"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
)

// otlpReceiver is a real OTLP/gRPC trace receiver: the collector's trace service.
type otlpReceiver struct {
	collectortrace.UnimplementedTraceServiceServer
	addr string

	mu      sync.Mutex
	spans   []*tracepb.Span
	changed chan struct{}
}

func startOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	r := &otlpReceiver{changed: make(chan struct{})}
	r.addr = serveOTLP(t, func(srv *grpc.Server) { collectortrace.RegisterTraceServiceServer(srv, r) })
	return r
}

// serveOTLP serves an OTLP/gRPC receiver on loopback until the test ends, with the services
// register puts on its server, and returns its address.
func serveOTLP(t *testing.T, register func(*grpc.Server)) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	register(srv)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-done
	})
	return lis.Addr().String()
}

func (r *otlpReceiver) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			r.spans = append(r.spans, ss.GetSpans()...)
		}
	}
	close(r.changed)
	r.changed = make(chan struct{})
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

// waitSpan waits for a span with the trace id and name.
func (r *otlpReceiver) waitSpan(t *testing.T, traceID, name string, within time.Duration) *tracepb.Span {
	t.Helper()
	deadline := time.After(within)
	for {
		r.mu.Lock()
		for _, s := range r.spans {
			if hex.EncodeToString(s.GetTraceId()) == traceID && s.GetName() == name {
				r.mu.Unlock()
				return s
			}
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no span %q in trace %s reached the OTLP receiver within %v (got %d spans)", name, traceID, within, r.count())
			return nil
		}
	}
}

func (r *otlpReceiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.spans)
}

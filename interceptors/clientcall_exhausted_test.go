package interceptors_test

import (
	"io"
	"net"
	"strings"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// A client stream whose every attempt the server refuses (trailers-only UNAVAILABLE) under a
// retry policy: grpc-go's policy runs out inside SendMsg or RecvMsg and returns "max retries
// exhausted: failed after 3 attempts: EOF", a wrapped io.EOF that the caller gets as an error
// (code Unknown), not as the end of the stream. Each call must be recorded with the code its
// caller got (the chaos differential found it recorded OK).
func TestRetriesExhaustedInsideAStreamRecordTheCallersCode(t *testing.T) {
	const calls = 40
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.UnknownServiceHandler(func(any, grpc.ServerStream) error {
		return status.Error(codes.Unavailable, "refused")
	}))
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)

	rec := newRecorder("client", nil)
	conn, err := grpc.NewClient(lis.Addr().String(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(`{"methodConfig":[{"name":[{"service":"refused.v1.Refused"}],
			"retryPolicy":{"maxAttempts":3,"initialBackoff":"0.001s","maxBackoff":"0.002s","backoffMultiplier":1,
			"retryableStatusCodes":["UNAVAILABLE"]}}]}`),
		grpc.WithChainStreamInterceptor(interceptors.StreamClientInterceptor(rec)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })

	desc := &grpc.StreamDesc{StreamName: "Upload", ClientStreams: true}
	callerCodes := make([]codes.Code, 0, calls)
	exhausted := 0
	for range calls {
		cs, err := conn.NewStream(testContext(t), desc, "/refused.v1.Refused/Upload")
		if err != nil {
			t.Fatalf("NewStream: %v", err)
		}
		got := callerError(cs)
		if got != nil && strings.Contains(got.Error(), "max retries exhausted") {
			exhausted++
		}
		callerCodes = append(callerCodes, status.Code(got))
	}
	recorded := rec.snapshot()
	if len(recorded) != calls {
		t.Fatalf("recorded %d calls, want %d", len(recorded), calls)
	}
	for i, call := range recorded {
		<-call.done
		if o := call.outcome(); o.PostCalls != 1 || o.Code != callerCodes[i] {
			t.Errorf("call %d: recorded %d ends with %v, want one with the caller's %v", i, o.PostCalls, o.Code, callerCodes[i])
		}
	}
	t.Logf("%d of %d callers got grpc-go's wrapped io.EOF (max retries exhausted)", exhausted, calls)
}

// callerError sends until the stream ends and reads the status, as grpc-go's documentation
// asks: io.EOF from SendMsg, by identity, means that RecvMsg tells the status.
func callerError(cs grpc.ClientStream) error {
	for range 1000 {
		if err := cs.SendMsg(&emptypb.Empty{}); err != nil {
			if err != io.EOF {
				return err
			}
			break
		}
	}
	if err := cs.CloseSend(); err != nil {
		return err
	}
	return cs.RecvMsg(&emptypb.Empty{})
}

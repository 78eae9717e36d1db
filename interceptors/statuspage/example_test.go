package statuspage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/statuspage"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
)

func Example() {
	page, err := statuspage.New()
	if err != nil {
		panic(err)
	}
	defer page.Close()

	// The same page records both sides: the server's calls and the client's.
	srv := grpc.NewServer(interceptors.ServerOptions(page)...)
	demov1.RegisterDemoServiceServer(srv, demo.NewService())
	conn, stop := testsrv.Serve(srv, interceptors.DialOptions(page)...)
	defer stop()
	client := demov1.NewDemoServiceClient(conn)
	_, _ = client.Echo(context.Background(), &demov1.EchoRequest{Message: "hello"})
	_, _ = client.Echo(context.Background(), &demov1.EchoRequest{FailCode: 5})  // NOT_FOUND
	_, _ = client.Echo(context.Background(), &demov1.EchoRequest{FailCode: 13}) // INTERNAL

	// Mount it where operators reach it, never on a public listener.
	mux := http.NewServeMux()
	mux.Handle("GET /debug/grpcobs", page)

	var status struct {
		Server, Client struct {
			Methods []struct {
				Method        string
				Calls, Errors int
			}
			RecentFailures []struct{ Method, Code, Message string } `json:"recent_failures"`
		}
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/debug/grpcobs?format=json", nil))
	if err := json.Unmarshal(w.Body.Bytes(), &status); err != nil {
		panic(err)
	}
	for _, m := range status.Server.Methods {
		fmt.Printf("server %s: %d calls, %d errors\n", m.Method, m.Calls, m.Errors)
	}
	for _, m := range status.Client.Methods {
		fmt.Printf("client %s: %d calls, %d errors\n", m.Method, m.Calls, m.Errors)
	}
	for _, c := range status.Server.RecentFailures {
		fmt.Printf("server failure: %s %s %q\n", c.Method, c.Code, c.Message)
	}
	// Output:
	// server Echo: 3 calls, 1 errors
	// client Echo: 3 calls, 2 errors
	// server failure: Echo Internal "failure requested with fail_code 13"
}

func ExampleWithTraceURL() {
	page, err := statuspage.New(statuspage.WithTraceURL("http://jaeger:16686/trace/{trace_id}"))
	if err != nil {
		panic(err)
	}
	defer page.Close()

	// Tracing first in the stack: the page reads the call's trace id from its span.
	tp := sdktrace.NewTracerProvider()
	defer func() { _ = tp.Shutdown(context.Background()) }()
	srv := grpc.NewServer(interceptors.ServerOptions(tracing.NewServer(tracing.WithTracerProvider(tp)), page)...)
	demov1.RegisterDemoServiceServer(srv, demo.NewService())
	conn, stop := testsrv.Serve(srv)
	defer stop()
	_, _ = demov1.NewDemoServiceClient(conn).Echo(context.Background(), &demov1.EchoRequest{FailCode: 14})

	w := httptest.NewRecorder()
	page.ServeHTTP(w, httptest.NewRequest("GET", "/debug/grpcobs", nil))
	body := w.Body.String()
	start := strings.Index(body, `<a href="http://jaeger:16686/trace/`)
	link := body[start : start+len(`<a href="http://jaeger:16686/trace/`)+32]
	fmt.Println(strings.Replace(link, link[len(link)-32:], "<32 hex digits>", 1))
	// Output:
	// <a href="http://jaeger:16686/trace/<32 hex digits>
}

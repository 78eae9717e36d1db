package statuspage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/interceptors/statuspage"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"golang.org/x/net/html"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// hostile is text a caller or a failing dependency controls: markup, both quotes, a
// javascript: URL and bytes that are not UTF-8.
const hostile = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)> javascript:alert(3) \xff\xfe\xc3"

// failWithHostileMessage is an unknown-service handler that fails every call with a message
// holding hostile text.
func failWithHostileMessage(_ any, stream grpc.ServerStream) error {
	var req demov1.EchoRequest
	if err := stream.RecvMsg(&req); err != nil {
		return err
	}
	return status.Error(codes.Internal, "boom "+hostile)
}

// Names, messages and health errors that hold markup, quotes and invalid UTF-8 end up as text:
// the page is valid UTF-8 HTML with no script, no event handler, no element or attribute a
// caller brought, and the text shows what was sent. Metadata and baggage values never show.
func TestHostileTextIsOnlyText(t *testing.T) {
	registry := health.NewRegistry(health.WithLogger(quietLogger()))
	if err := registry.Register("db "+strings.ToValidUTF8(hostile, ""), health.CheckFunc(func(context.Context) error {
		return errors.New("dial: " + hostile)
	}), health.Every(10*time.Millisecond)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	registry.Start(context.Background())
	t.Cleanup(registry.Stop)
	page := newPage(t, statuspage.WithHealth(registry), statuspage.WithTraceURL("https://tempo.example/trace/{trace_id}"))
	h, _ := tracedHarness(t, page, testsrv.WithRegister(func(s *grpc.Server) {}),
		testsrv.WithServerOptions(grpc.UnknownServiceHandler(failWithHostileMessage)))

	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer secret-token-value")
	ctx = testsrv.WithBaggage(t, ctx, "user", "secret-baggage-value")
	for _, name := range []string{"/pkg.<script>alert(1)</script>/M\"'", "/svc\xff\xfe/<b onclick=alert(4)>x"} {
		err := h.Conn.Invoke(ctx, name, &demov1.EchoRequest{Message: "secret-payload-value"}, &demov1.EchoResponse{})
		if status.Code(err) == codes.OK {
			t.Fatalf("call %q succeeded, want a failure", name)
		}
	}
	waitFor(t, func() bool { return registry.Report().Checks[0].Status == health.Failing })

	resp, body := get(t, page, "/debug/grpcobs")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET: %s", resp.Status)
	}
	if !utf8.Valid(body) {
		t.Error("the page is not valid UTF-8")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("Content-Security-Policy %q, want default-src 'none' and no script source", csp)
	}
	for _, secret := range []string{"secret-token-value", "secret-baggage-value", "secret-payload-value"} {
		if bytes.Contains(body, []byte(secret)) {
			t.Errorf("the page shows %q", secret)
		}
	}

	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse the page: %v", err)
	}
	text := checkElements(t, doc)
	for _, want := range []string{
		"/pkg.<script>alert(1)</script>/M\"'",    // the method name
		"boom <script>alert(1)</script>\"'><img", // the status message
		"dial: <script>alert(1)</script>",        // the check's error
		"db <script>alert(1)</script>",           // the check's name
		"\uFFFD",                                 // what invalid bytes became
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page's text lacks %q", want)
		}
	}

	// The JSON is valid, and holds the same text.
	_, body = get(t, page, "/debug/grpcobs?format=json")
	var s pageStatus
	if err := json.Unmarshal(body, &s); err != nil || !utf8.Valid(body) {
		t.Fatalf("the JSON: %v (valid UTF-8: %v)", err, utf8.Valid(body))
	}
	if len(s.Server.RecentFailures) != 2 || "/"+s.Server.RecentFailures[1].Service+"/"+s.Server.RecentFailures[1].Method != "/pkg.<script>alert(1)</script>/M\"'" ||
		s.Server.RecentFailures[1].CountedAs != "other" {
		t.Errorf("server failures in JSON: %+v", s.Server.RecentFailures)
	}
}

// allowedElements are the elements the page's template writes.
var allowedElements = map[string]bool{
	"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true,
	"header": true, "h1": true, "h2": true, "h3": true, "p": true, "a": true, "time": true,
	"section": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true,
	"td": true, "span": true, "svg": true, "rect": true,
}

// checkElements fails the test on any element or attribute the template does not write, on
// any script, event handler or non-http link, and returns the document's text.
func checkElements(t *testing.T, n *html.Node) string {
	t.Helper()
	var text strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			if !allowedElements[n.Data] {
				t.Errorf("unexpected element <%s>", n.Data)
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("<%s> has an event handler %s=%q", n.Data, a.Key, a.Val)
				}
				if a.Key == "href" && !strings.HasPrefix(a.Val, "?") && !strings.HasPrefix(a.Val, "https://tempo.example/trace/") {
					t.Errorf("<a> links to %q", a.Val)
				}
			}
		case html.TextNode:
			text.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return text.String()
}

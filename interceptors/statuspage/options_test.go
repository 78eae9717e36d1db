package statuspage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	mw "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/interceptors/statuspage"
)

// An option given a value it cannot use makes New fail, naming the option.
func TestInvalidOptionsFailNamingTheOption(t *testing.T) {
	for _, tc := range []struct {
		opt  statuspage.Option
		want string
	}{
		{statuspage.WithTraceURL("http://jaeger:16686/trace/"), "statuspage.WithTraceURL"},
		{statuspage.WithTraceURL("javascript:alert('{trace_id}')"), "statuspage.WithTraceURL"},
		{statuspage.WithTraceURL("/trace/{trace_id}"), "statuspage.WithTraceURL"},
		{statuspage.WithTraceURL("http://a b/{trace_id}"), "statuspage.WithTraceURL"},
		{statuspage.WithRecentCalls(0), "statuspage.WithRecentCalls"},
		{statuspage.WithRecentCalls(1001), "statuspage.WithRecentCalls"},
		{statuspage.WithRefresh(time.Millisecond), "statuspage.WithRefresh"},
		{statuspage.WithHealthPolling(time.Millisecond, 10), "statuspage.WithHealthPolling"},
		{statuspage.WithHealthPolling(time.Second, 0), "statuspage.WithHealthPolling"},
	} {
		page, err := statuspage.New(tc.opt)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want+"(") {
			t.Errorf("New: page %v, error %v; want an error naming %s", page, err, tc.want)
		}
	}
}

// Jaeger's and Grafana Tempo's trace URLs are valid templates.
func TestTraceURLTemplates(t *testing.T) {
	for _, tmpl := range []string{
		"http://jaeger:16686/trace/{trace_id}",
		`http://grafana:3000/explore?left={"queries":[{"datasource":"tempo","query":"{trace_id}"}]}`,
		"https://tempo.example/trace/{trace_id}",
	} {
		if _, err := statuspage.New(statuspage.WithTraceURL(tmpl)); err != nil {
			t.Errorf("WithTraceURL(%q): %v", tmpl, err)
		}
	}
}

// Nil options and a nil health source are ignored; a nil Page records nothing and closes.
func TestNilsAreIgnored(t *testing.T) {
	var registry *health.Registry
	page := newPage(t, nil, statuspage.WithHealth(registry), statuspage.WithHealth(nil))
	if s := readStatus(t, page); s.Health != nil {
		t.Errorf("a page without a health source has a health section: %+v", s.Health)
	}
	if _, body := get(t, page, "/debug/grpcobs?format=json"); !strings.Contains(string(body), `"methods": []`) {
		t.Errorf("a page without calls lists its methods as other than []: %s", body)
	}
	var none *statuspage.Page
	if rep, _ := none.ServerReporter(context.Background(), echoMeta); rep != (mw.NoopReporter{}) {
		t.Errorf("nil Page's server reporter %T, want NoopReporter", rep)
	}
	if rep, _ := none.ClientReporter(context.Background(), echoMeta); rep != (mw.NoopReporter{}) {
		t.Errorf("nil Page's client reporter %T, want NoopReporter", rep)
	}
	none.Close()
	page.Close()
	page.Close()
}

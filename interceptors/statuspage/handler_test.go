package statuspage_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/statuspage"
)

// The page reloads itself every refresh interval, with a link that pauses it, and a paused
// page links back to the reloading one.
func TestRefreshToggles(t *testing.T) {
	page := newPage(t, statuspage.WithRefresh(7*time.Second))
	for _, tc := range []struct {
		target, wantMeta, wantLink string
	}{
		{"/debug/grpcobs", `<meta http-equiv="refresh" content="7">`, `<a id="refresh-toggle" href="?refresh=off">pause</a>`},
		{"/debug/grpcobs?refresh=on", `<meta http-equiv="refresh" content="7">`, `<a id="refresh-toggle" href="?refresh=off">pause</a>`},
		{"/debug/grpcobs?refresh=off", "", `<a id="refresh-toggle" href="?refresh=on">resume</a>`},
	} {
		resp, body := get(t, page, tc.target)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("GET %s: %s %s", tc.target, resp.Status, resp.Header.Get("Content-Type"))
		}
		hasMeta := strings.Contains(string(body), `http-equiv="refresh"`)
		if hasMeta != (tc.wantMeta != "") || (tc.wantMeta != "" && !strings.Contains(string(body), tc.wantMeta)) {
			t.Errorf("GET %s: refresh meta present %v, want %q", tc.target, hasMeta, tc.wantMeta)
		}
		if !strings.Contains(string(body), tc.wantLink) {
			t.Errorf("GET %s: no %s", tc.target, tc.wantLink)
		}
	}
}

// The page answers GET and HEAD only, is never cached, and sends JSON when asked.
func TestMethodsAndFormats(t *testing.T) {
	page := newPage(t)
	w := httptest.NewRecorder()
	page.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/debug/grpcobs", nil))
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
	w = httptest.NewRecorder()
	page.ServeHTTP(w, httptest.NewRequest(http.MethodHead, "/debug/grpcobs", nil))
	if w.Code != http.StatusOK || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "0" {
		t.Errorf("HEAD: %d, body %d bytes, Content-Length %q", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
	}
	resp, _ := get(t, page, "/debug/grpcobs?format=json")
	for header, want := range map[string]string{
		"Content-Type":           "application/json",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
	} {
		if got := resp.Header.Get(header); got != want {
			t.Errorf("%s: %q, want %q", header, got, want)
		}
	}
}

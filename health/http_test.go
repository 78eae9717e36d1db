package health_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/health"
)

// handlerHead is how the handler's body starts.
func handlerHead(service, status string) string {
	return "{\n  \"service\": \"" + service + "\",\n  \"status\": \"" + status + "\",\n"
}

// reportStoryBody is the rest of the handler's body after reportStory.
const reportStoryBody = `  "shutdown": false,
  "services": {
    "": "NOT_SERVING",
    "liveness": "SERVING",
    "pkg.Cache": "SERVING",
    "readiness": "NOT_SERVING"
  },
  "checks": [
    {
      "name": "cache",
      "status": "passing",
      "critical": false,
      "gates": [
        "pkg.Cache"
      ],
      "last_run": "2000-01-01T00:00:10Z",
      "last_duration_seconds": 0.001,
      "consecutive_failures": 0,
      "consecutive_successes": 2,
      "interval_seconds": 10,
      "timeout_seconds": 1,
      "failure_threshold": 3,
      "success_threshold": 1
    },
    {
      "name": "db",
      "status": "failing",
      "critical": true,
      "gates": [
        "",
        "readiness"
      ],
      "last_error": "dependency down",
      "last_run": "2000-01-01T00:00:10Z",
      "last_duration_seconds": 0.25,
      "consecutive_failures": 1,
      "consecutive_successes": 0,
      "interval_seconds": 10,
      "timeout_seconds": 1,
      "failure_threshold": 1,
      "success_threshold": 1
    }
  ]
}
`

func TestHandlerAnswersTheStatusAloneByDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := reportStory(t) // db failing: readiness NOT_SERVING, liveness SERVING
		if err := r.SetServingStatus("pkg.Held", notServing); err != nil {
			t.Fatalf("SetServingStatus: %v", err)
		}
		for _, tc := range []struct {
			service  string
			wantCode int
			wantBody string
		}{
			{service: health.Liveness, wantCode: http.StatusOK, wantBody: "{\n  \"status\": \"SERVING\"\n}\n"},
			{service: health.Readiness, wantCode: http.StatusServiceUnavailable, wantBody: "{\n  \"status\": \"NOT_SERVING\"\n}\n"},
			{service: "pkg.Held", wantCode: http.StatusServiceUnavailable, wantBody: "{\n  \"status\": \"NOT_SERVING\"\n}\n"},
			{service: "nope", wantCode: http.StatusServiceUnavailable, wantBody: "{\n  \"status\": \"SERVICE_UNKNOWN\"\n}\n"},
		} {
			rec := httptest.NewRecorder()
			health.NewHandler(r, tc.service).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			if rec.Code != tc.wantCode {
				t.Errorf("%q: code %d, want %d", tc.service, rec.Code, tc.wantCode)
			}
			if diff := cmp.Diff(tc.wantBody, rec.Body.String()); diff != "" {
				t.Errorf("%q: body (-want +got):\n%s", tc.service, diff)
			}
			if got := rec.Header().Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Errorf("%q: Content-Type %q, want application/json; charset=utf-8", tc.service, got)
			}
		}
	})
}

func TestHandlerWithDetailsAnswersTheReport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := reportStory(t) // db failing: readiness NOT_SERVING, liveness SERVING
		for _, tc := range []struct {
			service  string
			wantCode int
			wantBody string
		}{
			{service: health.Liveness, wantCode: http.StatusOK, wantBody: handlerHead("liveness", "SERVING") + reportStoryBody},
			{service: health.Readiness, wantCode: http.StatusServiceUnavailable, wantBody: handlerHead("readiness", "NOT_SERVING") + reportStoryBody},
			{service: "nope", wantCode: http.StatusServiceUnavailable, wantBody: handlerHead("nope", "SERVICE_UNKNOWN") + reportStoryBody},
		} {
			rec := httptest.NewRecorder()
			health.NewHandler(r, tc.service, health.WithDetails()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			if rec.Code != tc.wantCode {
				t.Errorf("%q: code %d, want %d", tc.service, rec.Code, tc.wantCode)
			}
			if diff := cmp.Diff(tc.wantBody, rec.Body.String()); diff != "" {
				t.Errorf("%q: body (-want +got):\n%s", tc.service, diff)
			}
		}
	})
}

// get sends one request to url over a real connection and returns the code, the headers
// and the body.
func get(t *testing.T, method, url string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(rpcContext(t), method, url, nil)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

func TestHandlerOverHTTP(t *testing.T) {
	r, _ := newRegistry(t)
	if err := r.Register("dep", &dependency{}, withFast()...); err != nil {
		t.Fatalf("Register: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/healthz", health.NewHandler(r, health.Liveness))
	mux.Handle("/readyz", health.NewHandler(r, health.Readiness))
	mux.Handle("/typo", health.NewHandler(r, "readyness"))
	mux.Handle("/nil", health.NewHandler(nil, health.Readiness))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	code := func(method, path string) int {
		t.Helper()
		c, _, _ := get(t, method, srv.URL+path)
		return c
	}
	// Before the first result: live, not ready.
	if got := code(http.MethodGet, "/healthz"); got != http.StatusOK {
		t.Errorf("GET /healthz before the first result: %d, want 200", got)
	}
	if got := code(http.MethodGet, "/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz before the first result: %d, want 503", got)
	}
	r.Start(context.Background())
	awaitStatus(t, r, health.Readiness, serving)

	c, header, body := get(t, http.MethodGet, srv.URL+"/readyz")
	if c != http.StatusOK {
		t.Errorf("GET /readyz when ready: %d, want 200", c)
	}
	wantHeader := map[string]string{
		"Content-Type":           "application/json; charset=utf-8",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
	}
	for k, v := range wantHeader {
		if got := header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	c, _, headBody := get(t, http.MethodHead, srv.URL+"/readyz")
	if c != http.StatusOK || headBody != "" {
		t.Errorf("HEAD /readyz: %d with a %d-byte body, want 200 and no body", c, len(headBody))
	}
	if body == "" {
		t.Errorf("GET /readyz has no body")
	}

	c, header, _ = get(t, http.MethodPost, srv.URL+"/readyz")
	if c != http.StatusMethodNotAllowed || header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /readyz: %d, Allow %q; want 405, \"GET, HEAD\"", c, header.Get("Allow"))
	}
	c, _, body = get(t, http.MethodGet, srv.URL+"/typo")
	if c != http.StatusServiceUnavailable || !strings.Contains(body, `"status": "SERVICE_UNKNOWN"`) {
		t.Errorf("GET for an unknown service: %d, body %s; want 503 with status SERVICE_UNKNOWN", c, body)
	}
	if got := code(http.MethodGet, "/nil"); got != http.StatusOK {
		t.Errorf("GET on a handler made with a nil registry: %d, want 200", got)
	}

	r.Shutdown()
	for _, path := range []string{"/healthz", "/readyz"} {
		if got := code(http.MethodGet, path); got != http.StatusServiceUnavailable {
			t.Errorf("GET %s during Shutdown: %d, want 503", path, got)
		}
	}
}

package checks_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/health/checks"
)

// upstream is a real HTTP server on loopback with the answers the tests need.
func upstream(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/no-content", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/down", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "database unreachable", http.StatusServiceUnavailable)
	})
	mux.Handle("/moved", http.RedirectHandler("/ok", http.StatusFound))
	mux.Handle("/moved-down", http.RedirectHandler("/down", http.StatusFound))
	mux.HandleFunc("/private", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" || r.Host != "health.internal" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPExpects2xx(t *testing.T) {
	srv := upstream(t)
	for _, tc := range []struct {
		path    string
		opts    []checks.HTTPOption
		wantErr string
	}{
		{path: "/ok"},
		{path: "/no-content"},
		{path: "/moved"},
		{path: "/down", wantErr: "http: GET " + srv.URL + "/down: 503 Service Unavailable"},
		{path: "/moved-down", wantErr: "http: GET " + srv.URL + "/moved-down: 503 Service Unavailable"},
		{path: "/missing", wantErr: "http: GET " + srv.URL + "/missing: 404 Not Found"},
		{path: "/private", wantErr: "http: GET " + srv.URL + "/private: 401 Unauthorized"},
		{path: "/private", opts: []checks.HTTPOption{
			checks.WithHeader("Authorization", "Bearer s3cret"), checks.WithHeader("Host", "health.internal"),
		}},
		{
			path: "/moved", wantErr: "http: GET " + srv.URL + "/moved: 302 Found",
			opts: []checks.HTTPOption{checks.WithHTTPClient(&http.Client{
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			})},
		},
		{path: "/ok", opts: []checks.HTTPOption{checks.WithHTTPClient(nil), nil}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			err := checks.HTTP(srv.URL+tc.path, tc.opts...)(checkContext(t))
			if tc.wantErr == "" {
				if err != nil {
					t.Errorf("error %v, want none", err)
				}
				return
			}
			wantError(t, tc.path, err, tc.wantErr)
		})
	}
}

func TestHTTPFailsWhenTheServerIsGoneOrSlow(t *testing.T) {
	srv := upstream(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := checks.HTTP(srv.URL + "/slow")(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow server: error %v, want context.DeadlineExceeded", err)
	}
	check := checks.HTTP(srv.URL + "/ok")
	srv.Close()
	if err := check(checkContext(t)); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("closed server: error %v, want connection refused", err)
	}
}

func TestHTTPBadInput(t *testing.T) {
	wantError(t, "no URL", checks.HTTP("")(checkContext(t)), "http: no URL to get")
	wantError(t, "bad URL", checks.HTTP("://nope")(checkContext(t)), `http: parse "://nope": missing protocol scheme`)
}

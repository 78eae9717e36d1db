package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/grpcobs/grpcobs/health"
)

// HTTPOption configures an HTTP checker.
type HTTPOption func(*httpOptions)

type httpOptions struct {
	client *http.Client
	header http.Header
}

// WithHTTPClient sets the client the checker sends its requests with, for TLS settings, a
// transport of its own or a redirect policy. Nil is ignored.
// Default: http.DefaultClient.
func WithHTTPClient(c *http.Client) HTTPOption {
	return func(o *httpOptions) {
		if c != nil {
			o.client = c
		}
	}
}

// WithHeader adds a header to every request, such as Authorization or Host. Repeat it for
// more.
// Default: no extra header.
func WithHeader(key, value string) HTTPOption {
	return func(o *httpOptions) { o.header.Add(key, value) }
}

// maxDrain is how much of a response body the checker reads, so that the connection can be
// reused, before it closes the body.
const maxDrain = 64 << 10

// HTTP returns a checker that sends GET url and passes when the final answer, after
// redirects, has a 2xx status. Other statuses fail with an error that names them.
func HTTP(url string, opts ...HTTPOption) health.CheckFunc {
	o := httpOptions{client: http.DefaultClient, header: make(http.Header)}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return func(ctx context.Context) error {
		if url == "" {
			return errors.New("http: no URL to get")
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("http: %w", err)
		}
		for k, vs := range o.header {
			if k == "Host" { // net/http sends req.Host, not the header
				req.Host = vs[len(vs)-1]
				continue
			}
			req.Header[k] = append([]string(nil), vs...)
		}
		resp, err := o.client.Do(req)
		if err != nil {
			return fmt.Errorf("http: %w", err)
		}
		defer resp.Body.Close()
		_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return fmt.Errorf("http: GET %s: %s", url, resp.Status)
		}
		return nil
	}
}

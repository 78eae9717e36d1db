package telemetry_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// otlpCollector serves an OTLP/HTTP collector on loopback that answers every request and
// counts those to path ("/v1/logs", "/v1/metrics"), for as long as the test runs.
func otlpCollector(t *testing.T, path string) (url string, exports *atomic.Int32) {
	t.Helper()
	exports = new(atomic.Int32)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			exports.Add(1)
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	t.Cleanup(collector.Close)
	return collector.URL, exports
}

// exportOTLPTo points the test's OTLP exporters at url over http/protobuf, with traces off.
func exportOTLPTo(t *testing.T, url string) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", url)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
}

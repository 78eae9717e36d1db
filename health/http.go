package health

import (
	"encoding/json"
	"net/http"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// HandlerOption configures the handler of NewHandler.
type HandlerOption func(*handler)

// WithDetails makes the handler answer the whole Report under the status: every service's
// status, the statuses set by hand, and per check its status, last error, last run, last
// duration, consecutive failures and successes, and settings. The checks' error texts can
// name internal hosts and ports: serve it where only operators reach it.
// Default: the status alone.
func WithDetails() HandlerOption {
	return func(h *handler) { h.details = true }
}

// NewHandler returns an http.Handler that answers the status of service as JSON, for HTTP
// probes:
//
//	{"status":"SERVING"}
//
// With WithDetails it answers the registry's Report too, for people:
//
//	{"service":"readiness","status":"SERVING","shutdown":false,"services":{…},"checks":[…]}
//
// It answers 200 when service is SERVING and 503 otherwise (NOT_SERVING, or
// SERVICE_UNKNOWN for a service that does not exist), to GET and HEAD; other methods get
// 405. The answer is never cached. It reads the last results and never waits on a check.
// A nil registry is replaced by an empty one.
//
//	mux.Handle("/healthz", health.NewHandler(registry, health.Liveness))
//	mux.Handle("/readyz", health.NewHandler(registry, health.Readiness))
//	adminMux.Handle("/readyz", health.NewHandler(registry, health.Readiness, health.WithDetails()))
func NewHandler(registry *Registry, service string, opts ...HandlerOption) http.Handler {
	if registry == nil {
		registry = NewRegistry()
	}
	h := &handler{registry: registry, service: service}
	for _, opt := range opts {
		if opt != nil {
			opt(h)
		}
	}
	return h
}

type handler struct {
	registry *Registry
	service  string
	details  bool
}

// statusJSON is the body the handler answers by default.
type statusJSON struct {
	Status string `json:"status"`
}

// detailsJSON is the body the handler answers WithDetails.
type detailsJSON struct {
	Service string `json:"service"`
	Status  string `json:"status"`
	reportJSON
}

func (h *handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var (
		st   healthpb.HealthCheckResponse_ServingStatus
		body any
	)
	if h.details {
		rep := h.registry.Report()
		st = serviceStatus(rep.Services, h.service)
		body = detailsJSON{Service: h.service, Status: st.String(), reportJSON: rep.toJSON()}
	} else {
		st, _ = h.registry.Status(h.service)
		body = statusJSON{Status: st.String()}
	}
	code := http.StatusServiceUnavailable
	if st == healthpb.HealthCheckResponse_SERVING {
		code = http.StatusOK
	}
	out, err := json.MarshalIndent(body, "", "  ")
	if err != nil { // cannot happen: every field encodes
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out = append(out, '\n')
	header := w.Header()
	header.Set("Content-Type", "application/json; charset=utf-8")
	header.Set("Cache-Control", "no-store")
	header.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	if req.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(out)
}

// serviceStatus is the status of service in statuses, SERVICE_UNKNOWN when it is not there.
func serviceStatus(statuses map[string]healthpb.HealthCheckResponse_ServingStatus, service string) healthpb.HealthCheckResponse_ServingStatus {
	if st, ok := statuses[service]; ok {
		return st
	}
	return healthpb.HealthCheckResponse_SERVICE_UNKNOWN
}

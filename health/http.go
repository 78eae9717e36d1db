package health

import (
	"encoding/json"
	"net/http"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// NewHandler returns an http.Handler that serves the registry's Report as JSON, with the
// status of service on top, for HTTP probes and for people:
//
//	{"service":"readiness","status":"SERVING","shutdown":false,"services":{…},"checks":[…]}
//
// It answers 200 when service is SERVING and 503 otherwise (NOT_SERVING, or
// SERVICE_UNKNOWN for a service that does not exist), to GET and HEAD; other methods get
// 405. The answer is never cached. It reads the last results and never waits on a check.
// The report holds the checks' error texts: serve it where only operators reach it.
// A nil registry is replaced by an empty one.
//
//	mux.Handle("/healthz", health.NewHandler(registry, health.Liveness))
//	mux.Handle("/readyz", health.NewHandler(registry, health.Readiness))
func NewHandler(registry *Registry, service string) http.Handler {
	if registry == nil {
		registry = NewRegistry()
	}
	return &handler{registry: registry, service: service}
}

type handler struct {
	registry *Registry
	service  string
}

// handlerJSON is the body the handler answers.
type handlerJSON struct {
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
	rep := h.registry.Report()
	st, ok := rep.Services[h.service]
	if !ok {
		st = healthpb.HealthCheckResponse_SERVICE_UNKNOWN
	}
	code := http.StatusServiceUnavailable
	if st == healthpb.HealthCheckResponse_SERVING {
		code = http.StatusOK
	}
	body, err := json.MarshalIndent(handlerJSON{Service: h.service, Status: st.String(), reportJSON: rep.toJSON()}, "", "  ")
	if err != nil { // cannot happen: every field encodes
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	body = append(body, '\n')
	header := w.Header()
	header.Set("Content-Type", "application/json; charset=utf-8")
	header.Set("Cache-Control", "no-store")
	header.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	if req.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

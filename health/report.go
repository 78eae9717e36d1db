package health

import (
	"encoding/json"
	"maps"
	"sort"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Report is a snapshot of a registry: every health service's status and where every check
// stands, taken at one instant.
type Report struct {
	// Shutdown is true between Shutdown and Resume.
	Shutdown bool
	// Services maps every health service to its status.
	Services map[string]healthpb.HealthCheckResponse_ServingStatus
	// Overrides maps each service whose status was set by hand (SetServingStatus) to that
	// status; nil when there is none.
	Overrides map[string]healthpb.HealthCheckResponse_ServingStatus
	// Checks has one entry per registered check, sorted by name.
	Checks []CheckReport
}

// CheckReport is where one check stands.
type CheckReport struct {
	Name string
	// Status is the check's status after its thresholds.
	Status CheckStatus
	// Critical is false for a NonCritical check, which gates nothing.
	Critical bool
	// Gates are the health services the check gates (or would, if it were critical).
	Gates []string
	// LastError is the error of the last run, nil if it passed or none ran yet.
	LastError error
	// LastRun is when the last run started; zero before the first one.
	LastRun time.Time
	// LastDuration is how long the last run took.
	LastDuration time.Duration
	// ConsecutiveFailures and ConsecutiveSuccesses count the last runs that failed, or
	// passed, in a row. At most one of them is not zero.
	ConsecutiveFailures  int
	ConsecutiveSuccesses int
	// Interval, Timeout, FailureThreshold and SuccessThreshold are the check's settings (Every,
	// Timeout, FailureThreshold, SuccessThreshold), so that a report tells how the status came
	// to be.
	Interval         time.Duration
	Timeout          time.Duration
	FailureThreshold int
	SuccessThreshold int
}

// Report returns a snapshot of every service and check. It never waits on a check.
func (r *Registry) Report() Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := Report{
		Shutdown: r.shutdown,
		Services: maps.Clone(r.services),
		Checks:   make([]CheckReport, 0, len(r.checks)),
	}
	if len(r.overrides) > 0 {
		rep.Overrides = maps.Clone(r.overrides)
	}
	for _, ck := range r.checks {
		rep.Checks = append(rep.Checks, CheckReport{
			Name:                 ck.name,
			Status:               ck.status,
			Critical:             ck.opts.critical,
			Gates:                append([]string(nil), ck.opts.gates...),
			LastError:            ck.lastErr,
			LastRun:              ck.lastRun,
			LastDuration:         ck.lastDuration,
			ConsecutiveFailures:  ck.consecutiveFailures,
			ConsecutiveSuccesses: ck.consecutiveSuccesses,
			Interval:             ck.opts.interval,
			Timeout:              ck.opts.timeout,
			FailureThreshold:     ck.opts.failureThreshold,
			SuccessThreshold:     ck.opts.successThreshold,
		})
	}
	sort.Slice(rep.Checks, func(i, j int) bool { return rep.Checks[i].Name < rep.Checks[j].Name })
	return rep
}

// reportJSON is the JSON form of a Report.
type reportJSON struct {
	Shutdown  bool              `json:"shutdown"`
	Services  map[string]string `json:"services"`
	Overrides map[string]string `json:"overrides,omitempty"`
	Checks    []CheckReport     `json:"checks"`
}

// checkReportJSON is the JSON form of a CheckReport.
type checkReportJSON struct {
	Name                 string      `json:"name"`
	Status               CheckStatus `json:"status"`
	Critical             bool        `json:"critical"`
	Gates                []string    `json:"gates"`
	LastError            string      `json:"last_error,omitempty"`
	LastRun              time.Time   `json:"last_run,omitzero"`
	LastDurationSeconds  float64     `json:"last_duration_seconds"`
	ConsecutiveFailures  int         `json:"consecutive_failures"`
	ConsecutiveSuccesses int         `json:"consecutive_successes"`
	IntervalSeconds      float64     `json:"interval_seconds"`
	TimeoutSeconds       float64     `json:"timeout_seconds"`
	FailureThreshold     int         `json:"failure_threshold"`
	SuccessThreshold     int         `json:"success_threshold"`
}

func (rep Report) toJSON() reportJSON {
	checks := rep.Checks
	if checks == nil {
		checks = []CheckReport{}
	}
	services := statusNames(rep.Services)
	if services == nil {
		services = map[string]string{}
	}
	return reportJSON{Shutdown: rep.Shutdown, Services: services, Overrides: statusNames(rep.Overrides), Checks: checks}
}

// statusNames maps each service to its status's name; nil for an empty map.
func statusNames(statuses map[string]healthpb.HealthCheckResponse_ServingStatus) map[string]string {
	if len(statuses) == 0 {
		return nil
	}
	out := make(map[string]string, len(statuses))
	for service, st := range statuses {
		out[service] = st.String()
	}
	return out
}

// MarshalJSON encodes the report with statuses as names, and the statuses set by hand
// under "overrides" when there are any:
//
//	{"shutdown":false,"services":{"":"SERVING","readiness":"SERVING"},"checks":[…]}
func (rep Report) MarshalJSON() ([]byte, error) { return json.Marshal(rep.toJSON()) }

// MarshalJSON encodes the check with snake_case keys, its error as text, its last run in
// RFC 3339 (left out before the first run), its durations in seconds, and its settings:
//
//	{"name":"db","status":"failing","critical":true,"gates":["","readiness"],
//	 "last_error":"ping: connection refused","last_run":"2025-01-02T15:04:05.000000001Z",
//	 "last_duration_seconds":0.0012,"consecutive_failures":3,"consecutive_successes":0,
//	 "interval_seconds":5,"timeout_seconds":1,"failure_threshold":3,"success_threshold":1}
func (c CheckReport) MarshalJSON() ([]byte, error) {
	out := checkReportJSON{
		Name:                 c.Name,
		Status:               c.Status,
		Critical:             c.Critical,
		Gates:                c.Gates,
		LastRun:              c.LastRun,
		LastDurationSeconds:  c.LastDuration.Seconds(),
		ConsecutiveFailures:  c.ConsecutiveFailures,
		ConsecutiveSuccesses: c.ConsecutiveSuccesses,
		IntervalSeconds:      c.Interval.Seconds(),
		TimeoutSeconds:       c.Timeout.Seconds(),
		FailureThreshold:     c.FailureThreshold,
		SuccessThreshold:     c.SuccessThreshold,
	}
	if out.Gates == nil {
		out.Gates = []string{}
	}
	if c.LastError != nil {
		out.LastError = c.LastError.Error()
	}
	return json.Marshal(out)
}

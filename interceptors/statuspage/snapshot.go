package statuspage

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/grpcobs/grpcobs/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// snapshot is everything the page shows, read at one instant; it is also the page's JSON.
type snapshot struct {
	GeneratedAt time.Time `json:"generated_at"`
	Since       time.Time `json:"since"`
	Server      sideView  `json:"server"`
	Client      sideView  `json:"client"`
	// Health is the registry's report in package health's own layout (health.Report's JSON,
	// as the health handler serves it WithDetails), its names and errors made safe text;
	// HealthTimeline is what the page saw change, newest first. Both are absent without
	// WithHealth.
	Health         *health.Report `json:"health,omitempty"`
	HealthTimeline []eventView    `json:"health_timeline,omitzero"`
}

type sideView struct {
	Methods        []methodView `json:"methods"`
	RecentFailures []callView   `json:"recent_failures"`
	Slowest        []callView   `json:"slowest"`
}

// methodView is one method on one side. Rates and ratios are over the last minute and the
// last ten minutes; latencies and the histogram over the last ten minutes; Calls and Errors
// since the page began.
type methodView struct {
	Service           string    `json:"service"`
	Method            string    `json:"method"`
	Type              string    `json:"type"`
	InFlight          int64     `json:"in_flight"`
	Calls             int64     `json:"calls"`
	Errors            int64     `json:"errors"`
	CallsPerSecond1m  float64   `json:"calls_per_second_1m"`
	CallsPerSecond10m float64   `json:"calls_per_second_10m"`
	ErrorRatio1m      float64   `json:"error_ratio_1m"`
	ErrorRatio10m     float64   `json:"error_ratio_10m"`
	P50Seconds        float64   `json:"latency_p50_seconds"`
	P95Seconds        float64   `json:"latency_p95_seconds"`
	P99Seconds        float64   `json:"latency_p99_seconds"`
	Histogram         []barJSON `json:"latency_histogram_10m"`

	latency latencyCounts
}

// barJSON is one latency bucket: calls no slower than LESeconds (null: slower than the last
// bound) and slower than the bucket before.
type barJSON struct {
	LESeconds *float64 `json:"le_seconds"`
	Count     int64    `json:"count"`
}

type callView struct {
	Service         string    `json:"service"`
	Method          string    `json:"method"`
	CountedAs       string    `json:"counted_as,omitempty"`
	Code            string    `json:"code"`
	Message         string    `json:"message,omitempty"`
	DurationSeconds float64   `json:"duration_seconds"`
	Start           time.Time `json:"start"`
	TraceID         string    `json:"trace_id,omitempty"`
	TraceSampled    bool      `json:"trace_sampled,omitempty"`
	TraceURL        string    `json:"trace_url,omitempty"`
}

type eventView struct {
	Time  time.Time `json:"time"`
	Kind  string    `json:"kind"`
	Name  string    `json:"name,omitempty"`
	From  string    `json:"from"`
	To    string    `json:"to"`
	Error string    `json:"error,omitempty"`
}

func (p *Page) snapshot() snapshot {
	now := p.opts.now()
	s := snapshot{
		GeneratedAt: now,
		Since:       p.begun,
		Server:      p.sideView(p.server, now),
		Client:      p.sideView(p.client, now),
	}
	if p.health != nil {
		rep, timeline := p.health.observe()
		safe := safeReport(rep)
		s.Health, s.HealthTimeline = &safe, eventViews(timeline)
	}
	return s
}

func (p *Page) sideView(sd *side, now time.Time) sideView {
	methods := sd.methods.all()
	v := sideView{Methods: make([]methodView, 0, len(methods))}
	for _, m := range methods {
		v.Methods = append(v.Methods, p.methodView(m, now))
	}
	// Known methods by name, other last.
	slices.SortFunc(v.Methods, func(a, b methodView) int {
		if (a.Service == otherName) != (b.Service == otherName) {
			if a.Service == otherName {
				return 1
			}
			return -1
		}
		return cmp.Or(strings.Compare(a.Service, b.Service), strings.Compare(a.Method, b.Method))
	})
	failures, slowest := sd.recent.snapshot(now)
	v.RecentFailures = p.callViews(failures)
	v.Slowest = p.callViews(slowest)
	return v
}

func (p *Page) methodView(m *methodStats, now time.Time) methodView {
	short := m.window.totals(now, p.begun, shortBuckets+1)
	long := m.window.totals(now, p.begun, ringBuckets)
	v := methodView{
		Service:           m.name.service,
		Method:            m.name.method,
		Type:              string(m.typ),
		InFlight:          m.inFlight.Load(),
		Calls:             m.calls.Load(),
		Errors:            m.errors.Load(),
		CallsPerSecond1m:  short.rate(),
		CallsPerSecond10m: long.rate(),
		ErrorRatio1m:      short.errorRatio(),
		ErrorRatio10m:     long.errorRatio(),
		P50Seconds:        long.latency.quantile(0.50).Seconds(),
		P95Seconds:        long.latency.quantile(0.95).Seconds(),
		P99Seconds:        long.latency.quantile(0.99).Seconds(),
		latency:           long.latency,
	}
	for i, n := range long.latency {
		bar := barJSON{Count: n}
		if i < len(latencyBounds) {
			le := latencyBounds[i].Seconds()
			bar.LESeconds = &le
		}
		v.Histogram = append(v.Histogram, bar)
	}
	return v
}

func (p *Page) callViews(calls []recentCall) []callView {
	out := make([]callView, 0, len(calls))
	for _, c := range calls {
		v := callView{
			Service:         c.service,
			Method:          c.method,
			CountedAs:       c.counted,
			Code:            c.code.String(),
			Message:         c.message,
			DurationSeconds: c.duration.Seconds(),
			Start:           c.start,
		}
		if c.hasTrace {
			v.TraceID, v.TraceSampled = c.traceID.String(), c.sampled
			if p.opts.traceURL != "" && c.sampled {
				v.TraceURL = strings.ReplaceAll(p.opts.traceURL, traceIDPlaceholder, v.TraceID)
			}
		}
		out = append(out, v)
	}
	return out
}

// safeReport is rep with every name and error made safe text (valid UTF-8, capped), in new
// maps and slices: rep itself is the history's last report, compared with the next one.
func safeReport(rep health.Report) health.Report {
	safe := rep
	safe.Services, safe.Overrides = safeNames(rep.Services), safeNames(rep.Overrides)
	safe.Checks = make([]health.CheckReport, 0, len(rep.Checks))
	for _, c := range rep.Checks {
		c.Name = safeText(c.Name, maxNameBytes)
		gates := make([]string, 0, len(c.Gates))
		for _, g := range c.Gates {
			gates = append(gates, safeText(g, maxNameBytes))
		}
		c.Gates = gates
		if c.LastError != nil {
			c.LastError = errors.New(safeText(c.LastError.Error(), maxMessageBytes))
		}
		safe.Checks = append(safe.Checks, c)
	}
	return safe
}

// safeNames is statuses with each service name made safe text; nil for nil. Service names
// come from the program's registered services, so two that differ only past the cap, or in
// their invalid bytes, are not expected; they would show as one.
func safeNames(statuses map[string]healthpb.HealthCheckResponse_ServingStatus) map[string]healthpb.HealthCheckResponse_ServingStatus {
	if statuses == nil {
		return nil
	}
	out := make(map[string]healthpb.HealthCheckResponse_ServingStatus, len(statuses))
	for name, st := range statuses {
		out[safeText(name, maxNameBytes)] = st
	}
	return out
}

func eventViews(timeline []healthEvent) []eventView {
	out := make([]eventView, 0, len(timeline))
	for _, ev := range timeline {
		out = append(out, eventView{Time: ev.at, Kind: ev.kind, Name: ev.name, From: ev.from, To: ev.to, Error: ev.err})
	}
	return out
}

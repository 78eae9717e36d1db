package statuspage

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/grpcobs/grpcobs/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// healthHistory keeps a timeline of health transitions. package health exposes where things
// stand (Report), not how they got there, so the page compares each report it reads with the
// one before and records what changed. A status that changes and changes back between two
// reads leaves no trace.
type healthHistory struct {
	read func() health.Report
	now  func() time.Time
	size int

	mu     sync.Mutex
	last   *health.Report // nil before the first read
	events []healthEvent  // a ring of size entries; next is the slot the next one takes
	next   int
}

// healthEvent is one transition: a service's status, a check's status, or the registry's
// shutdown.
type healthEvent struct {
	at       time.Time
	kind     string // "service", "check" or "shutdown"
	name     string
	from, to string
	err      string // the check's last error, for a check event
}

func newHealthHistory(src HealthSource, size int, now func() time.Time) *healthHistory {
	return &healthHistory{read: src.Report, now: now, size: size, events: make([]healthEvent, 0, size)}
}

// poll reads the report every interval until ctx ends.
func (h *healthHistory) poll(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	h.observe()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.observe()
		}
	}
}

// observe reads the report, records what changed since the last read, and returns the report
// and the timeline, newest first.
func (h *healthHistory) observe() (health.Report, []healthEvent) {
	// Reading under the lock keeps the reads in order: a report read before another is never
	// compared with it as if it came after.
	h.mu.Lock()
	defer h.mu.Unlock()
	rep := h.read()
	h.diffLocked(h.now(), rep)
	h.last = &rep
	timeline := make([]healthEvent, 0, len(h.events))
	for i := range len(h.events) {
		timeline = append(timeline, h.events[(h.next-1-i+2*h.size)%h.size])
	}
	return rep, timeline
}

// diffLocked records the transitions from the last report to rep: checks first, then the
// shutdown, then the services, the order of cause and effect. The first report is the start
// of the timeline: every service and check comes in from "".
func (h *healthHistory) diffLocked(at time.Time, rep health.Report) {
	var (
		lastShutdown bool
		lastServices map[string]healthpb.HealthCheckResponse_ServingStatus
		lastChecks   = map[string]health.CheckStatus{}
	)
	if h.last != nil {
		lastShutdown, lastServices = h.last.Shutdown, h.last.Services
		for _, c := range h.last.Checks {
			lastChecks[c.Name] = c.Status
		}
	}
	for _, c := range rep.Checks {
		if before, ok := lastChecks[c.Name]; !ok || before != c.Status {
			from := ""
			if ok {
				from = before.String()
			}
			ev := healthEvent{at: at, kind: "check", name: c.Name, from: from, to: c.Status.String()}
			if c.LastError != nil {
				ev.err = safeText(c.LastError.Error(), maxMessageBytes)
			}
			h.addLocked(ev)
		}
	}
	if rep.Shutdown != lastShutdown {
		h.addLocked(healthEvent{at: at, kind: "shutdown", from: onOff(lastShutdown), to: onOff(rep.Shutdown)})
	}
	services := make([]string, 0, len(rep.Services))
	for name := range rep.Services {
		services = append(services, name)
	}
	slices.Sort(services)
	for _, name := range services {
		st := rep.Services[name]
		if before, ok := lastServices[name]; !ok || before != st {
			from := ""
			if ok {
				from = before.String()
			}
			h.addLocked(healthEvent{at: at, kind: "service", name: name, from: from, to: st.String()})
		}
	}
}

func (h *healthHistory) addLocked(ev healthEvent) {
	ev.name = safeText(ev.name, maxNameBytes)
	if len(h.events) < h.size {
		h.events = append(h.events, ev)
	} else {
		h.events[h.next] = ev
	}
	h.next = (h.next + 1) % h.size
}

func onOff(shutdown bool) string {
	if shutdown {
		return "shut down"
	}
	return "running"
}

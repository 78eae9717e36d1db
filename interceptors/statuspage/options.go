package statuspage

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/interceptors"
)

// Option configures New. A nil Option is ignored; an Option given a value it cannot use makes
// New fail with an error that names it.
type Option func(*options) error

// HealthSource is what the page reads of a health registry; *health.Registry is one.
type HealthSource interface {
	Report() health.Report
}

type options struct {
	traceURL       string // with traceIDPlaceholder; "" shows trace ids as plain text
	recentCalls    int
	refresh        time.Duration
	health         HealthSource
	healthPoll     time.Duration
	healthTimeline int
	now            func() time.Time
	policy         interceptors.StatusPolicy
}

// traceIDPlaceholder is what WithTraceURL replaces with a call's trace id.
const traceIDPlaceholder = "{trace_id}"

// Limits of the options that size the page's memory.
const (
	maxRecentCalls    = 1000
	maxHealthTimeline = 10000
)

var defaultOptions = options{
	recentCalls:    10,
	refresh:        5 * time.Second,
	healthPoll:     time.Second,
	healthTimeline: 100,
	now:            time.Now,
	policy:         interceptors.DefaultStatusPolicy(),
}

// WithStatusPolicy sets the status policy that decides which calls count as errors. Give every
// signal of a stack the same policy. Default: interceptors.DefaultStatusPolicy().
func WithStatusPolicy(p interceptors.StatusPolicy) Option {
	return func(o *options) error {
		o.policy = p
		return nil
	}
}

// WithTraceURL links the trace id of every call whose span was sampled to a trace viewer
// (an unsampled trace was never exported, so its id stays text): template is an http or
// https URL in which "{trace_id}" stands for the 32 hexadecimal digits of the trace id, for
// example "http://jaeger:16686/trace/{trace_id}" (Jaeger) or
// "http://grafana:3000/explore?left=…{trace_id}…" (Tempo). Default: no link, the trace id is
// plain text.
func WithTraceURL(template string) Option {
	return func(o *options) error {
		if !strings.Contains(template, traceIDPlaceholder) {
			return fmt.Errorf("statuspage.WithTraceURL(%q): the template has no %s", template, traceIDPlaceholder)
		}
		u, err := url.Parse(strings.ReplaceAll(template, traceIDPlaceholder, "0"))
		if err != nil {
			return fmt.Errorf("statuspage.WithTraceURL(%q): %w", template, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("statuspage.WithTraceURL(%q): want an absolute http or https URL", template)
		}
		o.traceURL = template
		return nil
	}
}

// WithRecentCalls sets how many failed calls, and how many slowest calls, the page keeps per
// side (server, client): from 1 to 1000. Default: 10.
func WithRecentCalls(n int) Option {
	return func(o *options) error {
		if n < 1 || n > maxRecentCalls {
			return fmt.Errorf("statuspage.WithRecentCalls(%d): want 1 to %d", n, maxRecentCalls)
		}
		o.recentCalls = n
		return nil
	}
}

// WithRefresh sets how often the page reloads itself; a viewer can pause it with the page's
// toggle link (the query parameter refresh=off). Default: 5s. At least one second.
func WithRefresh(d time.Duration) Option {
	return func(o *options) error {
		if d < time.Second {
			return fmt.Errorf("statuspage.WithRefresh(%v): want at least 1s", d)
		}
		o.refresh = d
		return nil
	}
}

// WithHealth adds a health section: every health service's status, every check's last
// result, and a timeline of their transitions. The page keeps the timeline itself: it reads
// source's Report every poll interval (see WithHealthPolling) from New until Close, and every
// time the page is served. A nil source is ignored. Default: no health section.
func WithHealth(source HealthSource) Option {
	return func(o *options) error {
		if source == nil || isNilPointer(source) {
			return nil
		}
		o.health = source
		return nil
	}
}

// WithHealthPolling sets how often the page reads the health report to find transitions
// (default 1s, at least 10ms), and how many transitions the timeline keeps (default 100, from 1
// to 10000; the oldest go first). A status that flips and flips back between two reads is not
// in the timeline.
func WithHealthPolling(every time.Duration, keep int) Option {
	return func(o *options) error {
		if every < 10*time.Millisecond {
			return fmt.Errorf("statuspage.WithHealthPolling(%v, %d): want an interval of at least 10ms", every, keep)
		}
		if keep < 1 || keep > maxHealthTimeline {
			return fmt.Errorf("statuspage.WithHealthPolling(%v, %d): want to keep 1 to %d transitions", every, keep, maxHealthTimeline)
		}
		o.healthPoll, o.healthTimeline = every, keep
		return nil
	}
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

func newOptions(opts []Option) (options, error) {
	o := defaultOptions
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return options{}, err
		}
	}
	return o, nil
}

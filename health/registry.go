package health

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Registry runs named checkers in the background and decides, from their last results, the
// status of every health service. It is safe for concurrent use. Its zero value is not
// usable: call NewRegistry.
//
// The health services are Overall (""), Liveness and Readiness, every service named by a
// check's Gates, and every service added with AddService, AddServer or SetServingStatus. A
// service is NOT_SERVING while a critical check that gates it is not passing, including
// before the check's first result, and while the registry is shut down (see Shutdown); it
// has the status set by hand, if SetServingStatus set one; it is SERVING otherwise. A
// service that no check gates is SERVING unless the registry is shut down or set otherwise.
type Registry struct {
	logger  logrus.FieldLogger
	logs    *logQueue
	tracer  trace.Tracer
	metrics *collector

	mu       sync.Mutex
	checks   map[string]*check
	services map[string]healthpb.HealthCheckResponse_ServingStatus
	// overrides are the statuses set by hand (SetServingStatus), never SERVING.
	overrides map[string]healthpb.HealthCheckResponse_ServingStatus
	// links gate the services of AddServer.
	links    map[string]serviceLink
	watchers map[string]map[*watcher]struct{}
	shutdown bool
	started  bool
	stopped  bool
	runCtx   context.Context
	cancel   context.CancelFunc
	loops    sync.WaitGroup
}

// NewRegistry returns a registry with no checks, serving Overall, Liveness and Readiness.
// Checks run once Start is called.
func NewRegistry(opts ...Option) *Registry {
	o := defaultOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.logger == nil {
		o.logger = logrus.StandardLogger()
	}
	r := &Registry{
		logger:    o.logger,
		checks:    make(map[string]*check),
		services:  make(map[string]healthpb.HealthCheckResponse_ServingStatus),
		overrides: make(map[string]healthpb.HealthCheckResponse_ServingStatus),
		links:     make(map[string]serviceLink),
		watchers:  make(map[string]map[*watcher]struct{}),
		tracer:    newTracer(o.tracerProvider),
	}
	r.metrics = newCollector(r)
	r.logs = newLogQueue(o.logger, logQueueSize, r.metrics.logLinesDropped)
	for _, s := range []string{Overall, Liveness, Readiness} {
		r.services[s] = healthpb.HealthCheckResponse_SERVING
	}
	return r
}

// Register adds a checker under name, with the options given (see CheckOption for each one
// and its default). The services it gates exist from now on; being critical by default, it
// holds them NOT_SERVING until it passes (see SuccessThreshold). On a started registry it
// starts running at once (after its InitialDelay).
//
// Register fails, and changes nothing, when name is empty, already registered or not
// valid UTF-8, when c is nil, or when a gated service name is not valid UTF-8 (a gRPC
// client could never ask for it).
func (r *Registry) Register(name string, c Checker, opts ...CheckOption) error {
	if name == "" {
		return errors.New("health: a check needs a name")
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("health: check name %q is not valid UTF-8", name)
	}
	if c == nil {
		return fmt.Errorf("health: check %q has a nil checker", name)
	}
	if f, ok := c.(CheckFunc); ok && f == nil {
		return fmt.Errorf("health: check %q has a nil checker", name)
	}
	o := defaultCheckOptions
	o.gates = defaultGates
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	o.gates = uniqueStrings(o.gates) // a copy: the default slice is shared
	if err := validServiceNames(o.gates); err != nil {
		return fmt.Errorf("health: check %q: %w", name, err)
	}

	ck := &check{name: name, checker: c, opts: o}
	r.mu.Lock()
	if _, dup := r.checks[name]; dup {
		r.mu.Unlock()
		return fmt.Errorf("health: check %q is already registered", name)
	}
	r.checks[name] = ck
	r.metrics.addCheck(name)
	for _, s := range o.gates {
		r.addServiceLocked(s)
	}
	r.logServiceChangesLocked(r.refreshLocked())
	if r.started && !r.stopped {
		r.startLoopLocked(ck)
	}
	r.mu.Unlock()
	return nil
}

// AddService adds health services that no check needs to name, such as the gRPC services
// the server exposes, so that probes and clients can ask for them. Such a service is
// SERVING unless the registry is shut down or a check added later gates it. Adding a
// service that exists changes nothing. AddService fails, and adds nothing, when a name is
// not valid UTF-8.
func (r *Registry) AddService(services ...string) error {
	if err := validServiceNames(services); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	r.mu.Lock()
	for _, s := range services {
		r.addServiceLocked(s)
	}
	r.logServiceChangesLocked(r.refreshLocked())
	r.mu.Unlock()
	return nil
}

// Start starts running the checks in the background and returns at once. Checks run until
// ctx ends or Stop is called; their contexts derive from ctx, so its values reach them.
// Start does something only the first time it is called, and nothing after Stop.
func (r *Registry) Start(ctx context.Context) {
	if ctx == nil {
		ctx = context.Background()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopped {
		return
	}
	r.started = true
	r.runCtx, r.cancel = context.WithCancel(ctx)
	for _, ck := range r.checks {
		r.startLoopLocked(ck)
	}
}

// Stop stops the checks and waits for them. Runs in progress see their context cancelled,
// and Stop waits for each of them, no longer than its Timeout; a checker that ignores its
// context is left behind (Go cannot stop it). No result is recorded once Stop is called,
// not even one that arrives at the same instant. Statuses keep their last value.
//
// Then Stop waits for the log lines already queued to be written, for at most one second.
// The checks never wait on the logger, so Stop returns within the longest Timeout of the
// checks plus that second, whatever the logger does; lines that a blocked writer still
// holds are written when it unblocks. Stop may be called more than once, and before Start.
func (r *Registry) Stop() {
	r.mu.Lock()
	r.stopped = true
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	r.loops.Wait()
	r.logs.flush(logFlushTimeout)
}

// startLoopLocked starts the background loop of ck.
func (r *Registry) startLoopLocked(ck *check) {
	r.loops.Add(1)
	go r.runLoop(r.runCtx, ck)
}

// validServiceNames fails on the first name that a gRPC client could not send.
func validServiceNames(services []string) error {
	for _, s := range services {
		if !utf8.ValidString(s) {
			return fmt.Errorf("service name %q is not valid UTF-8", s)
		}
	}
	return nil
}

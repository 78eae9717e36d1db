// Package health serves the real state of a server's dependencies over the standard gRPC
// health protocol (grpc.health.v1: Check, Watch, List), to grpc_health_probe, Kubernetes
// gRPC probes and grpc-go's client-side health checking, and over HTTP as a JSON report.
//
// A Registry runs named checkers (a Checker, or any func(ctx) error as a CheckFunc) in the
// background, each with its interval, timeout, initial delay and thresholds, the way
// Kubernetes runs probes (see CheckOption for the defaults). Each check gates health
// services: Overall (""), Readiness, Liveness or any gRPC service name. A service is
// NOT_SERVING while a critical check that gates it is not passing, and that includes the
// time before the check's first result: a new pod takes no traffic before its dependencies
// answered. Checks gate Overall and Readiness unless told otherwise, never Liveness, so that
// a database outage takes pods out of the load balancer instead of restarting them all.
//
// A status can also be set by hand, as with grpc-go's health.Server.SetServingStatus: a
// NOT_SERVING set by hand holds a service there over passing checks, SERVING hands it back
// to its checks and never hides a failing one, and Shutdown wins over both. AddServer makes
// every service registered on a grpc.Server a health service in one call.
//
// Answers never wait on a check: Check, Watch, List, Report and the HTTP handler read the
// last results. A checker that hangs is cut off at its timeout and counts as failing; one
// that panics counts as failing with the panic in its error.
//
// Every status change is logged through logrus (a warning with the error when a check
// fails, info when it recovers and when a service changes status), exported through
// Registry.Collector as Prometheus metrics, and each check run can be a span
// (WithTracerProvider). The HTTP handler answers the status alone unless WithDetails asks
// for the whole report, whose error texts can name internal hosts. The lines are written in order by a goroutine of the registry, so
// that a stalled log writer never holds up a check, a probe or Stop.
//
//	registry := health.NewRegistry(health.WithLogger(logger))
//	if err := registry.Register("postgres", checks.SQL(db), health.Every(5*time.Second)); err != nil {
//		return err
//	}
//	promRegistry.MustRegister(registry.Collector())
//	registry.Start(ctx)
//	defer registry.Stop()
//
//	healthServer := health.NewServer(registry)
//	healthpb.RegisterHealthServer(grpcServer, healthServer)
//	if _, err := registry.AddServer(grpcServer); err != nil { // after registering the services
//		return err
//	}
//	mux.Handle("/healthz", health.NewHandler(registry, health.Liveness))
//	mux.Handle("/readyz", health.NewHandler(registry, health.Readiness))
//	adminMux.Handle("/readyz", health.NewHandler(registry, health.Readiness, health.WithDetails()))
//
//	// On SIGTERM: stop taking traffic, let balancers notice, then stop.
//	healthServer.Shutdown()
//	time.Sleep(drain)
//	grpcServer.GracefulStop()
//
// Ready-made checkers (TCP, gRPC upstream, SQL, HTTP) live in package checks. The guide in
// docs/health.md covers Kubernetes probe configuration.
package health

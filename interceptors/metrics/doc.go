// Package metrics counts and times gRPC calls with Prometheus client_golang, on servers and
// clients, as one signal of the grpcobs stack.
//
// The series have the names, help texts and labels of go-grpc-prometheus (and of
// go-grpc-middleware's providers/prometheus), so that existing dashboards and alerts keep
// working: grpc_server_started_total, grpc_server_handled_total{grpc_code},
// grpc_server_msg_received_total, grpc_server_msg_sent_total, grpc_server_handling_seconds and
// their grpc_client_* twins, labelled grpc_type, grpc_service and grpc_method. On top of them:
//
//   - the handling-time histogram is on by default, with buckets for RPC latencies (0.5 ms to
//     10 s), and can also be a native histogram (WithNativeHistograms);
//   - grpc_server_in_flight and grpc_client_in_flight count the calls running now;
//   - with WithAttempts, grpc_client_attempts_total{grpc_code} counts each attempt grpc-go
//     makes of a client call (retry policies, transparent retries), by the attempt's code;
//   - with WithClientStreamSendHistogram and WithClientStreamRecvHistogram, a client also
//     times each message it sends and receives, in providers/prometheus' series of those
//     names (grpc_client_msg_send_handling_seconds, grpc_client_msg_recv_handling_seconds);
//   - when the call's span is sampled, the handled increment and the histogram observation
//     carry a trace_id exemplar, with no code in the handler; expose them with
//     promhttp.HandlerOpts{EnableOpenMetrics: true}. Each code's handled counter and each
//     histogram bucket takes a new exemplar at most once per exemplar interval (1 s; see
//     WithExemplarInterval), so the rare slow call always leaves its trace ID in its bucket
//     while a busy series pays for exemplars about once a second, not on every call;
//   - cardinality is bounded: there is no peer label, and a method that is not known (below)
//     is counted as grpc_service="other", grpc_method="other", as is a code outside the 17
//     gRPC codes as grpc_code="Unknown".
//
// # Known methods
//
// A method is known, and gets series of its own, when the grpcobs stack says so: the stack
// decides once per call, for every signal (see interceptors.Stack). Known are the methods
// registered on the server a call reached, those generated code linked into the program
// declares, those registered on a server given to ServerMetrics.InitializeMetrics (whenever
// they were registered, before or after that call: hand-written ServiceDescs, gogo-generated
// services, health and reflection), those interceptors.WithKnownMethods lists (a dynamic
// client, a proxy's routes), and the first interceptors.WithFirstSeenMethods(n). Outside a
// grpcobs stack (go-grpc-middleware's interceptors), the declared methods and those of the
// servers given to InitializeMetrics are known.
//
// Every case is fixed or bounded by the program, not by its callers: a scanner calling random
// names adds no series.
//
// # Invalid options
//
// An option given a value it cannot use (unsorted buckets, a reserved constant label, a
// negative interval…) makes Register fail with an error that names the option, such as
// "metrics.WithHistogramBuckets: buckets not sorted: [1 0.1] …", and MustRegister panic with
// it. The constructors return no error; until the collector is registered, the option's
// default is in place and recording never panics.
//
// Reporting a call costs the metrics no allocation unless its span is sampled, and one (the
// call's reporter) when it is but gets no new exemplar.
//
// Wiring, with tracing first so that exemplars find the span:
//
//	reg := prometheus.NewRegistry()
//	srvMetrics := metrics.NewServerMetrics()
//	reg.MustRegister(srvMetrics)
//
//	srv := grpc.NewServer(interceptors.ServerOptions(tracing.NewServer(), srvMetrics)...)
//	demov1.RegisterDemoServiceServer(srv, svc)
//	srvMetrics.InitializeMetrics(srv) // series at zero; every method srv registers is known
//
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
//
// and on a client:
//
//	cliMetrics := metrics.NewClientMetrics()
//	reg.MustRegister(cliMetrics)
//	conn, err := grpc.NewClient(target, append(interceptors.DialOptions(tracing.NewClient(), cliMetrics),
//		grpc.WithTransportCredentials(creds))...)
//
// docs/metrics.md has the series table, the cardinality policy, PromQL examples and how to
// migrate from go-grpc-prometheus.
package metrics

// Package prometheus holds the Prometheus rules that fit the series grpcobs exports, and the
// tests that keep them true: recording rules per service and method for servers and clients
// (grpc-recording.rules.yml), multi-window multi-burn-rate SLO alerts for availability and
// latency (grpc-slo.rules.yml), and an alert on a health service that stays NOT_SERVING
// (grpc-health.rules.yml). The package has no Go API; it is the rule files' home.
//
// Load the rules in prometheus.yml:
//
//	rule_files:
//	  - deploy/prometheus/grpc-recording.rules.yml
//	  - deploy/prometheus/grpc-slo.rules.yml
//	  - deploy/prometheus/grpc-health.rules.yml
//
// The tests: `promtool test rules tests/*.test.yml` feeds them scenarios (make
// prometheus-rules-test); rules_test.go checks that their error codes are the ones of
// interceptors.DefaultStatusPolicy and that the latency threshold is a bucket bound grpcobs exports; and
// realprometheus_test.go runs the real Prometheus binary (GRPCOBS_PROMETHEUS) against a
// grpcobs server under a scripted load and checks the recorded values against its call counts.
// docs/operations.md explains every rule and alert.
package prometheus

package main

import "fmt"

// The selectors every query starts from: the dashboard's variables narrow the job, the
// services and the methods. Client series are selected by the service they call (their job
// is the caller's, not the server's).
const (
	serverSelector = `job=~"$job", grpc_service=~"$service", grpc_method=~"$method"`
	clientSelector = `grpc_service=~"$service", grpc_method=~"$method"`
	healthSelector = `job=~"$job"`
)

// rateBy is the per-second rate of a counter, summed by labels.
func rateBy(by, metric, selector string) string {
	return fmt.Sprintf(`sum by (%s) (rate(%s{%s}[$__rate_interval]))`, by, metric, selector)
}

// classicQuantile is a quantile per method from the classic buckets of a histogram.
func classicQuantile(q, histogram, selector string) string {
	return fmt.Sprintf(`histogram_quantile(%s, sum by (grpc_service, grpc_method, le) (rate(%s_bucket{%s}[$__rate_interval])))`, q, histogram, selector)
}

// nativeQuantile is the same quantile from the native histogram (WithNativeHistograms).
func nativeQuantile(q, histogram, selector string) string {
	return fmt.Sprintf(`histogram_quantile(%s, sum by (grpc_service, grpc_method) (rate(%s{%s}[$__rate_interval])))`, q, histogram, selector)
}

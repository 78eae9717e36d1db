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

// The dashboard draws only the series that carry information. A series whose signal stayed
// zero over the whole dashboard range (a code InitializeMetrics pre-initialised and that never
// happened, a method nobody called, a gauge that stayed at zero) is left out; one that moved
// at some time in the range is drawn over all of it, so a drop to zero still shows.

// seenInRange keeps the series of expr whose `on` labels have a signal above zero.
func seenInRange(expr, on, signal string) string {
	return fmt.Sprintf(`%s and on (%s) (%s > 0)`, expr, on, signal)
}

// countedRateBy is rateBy, for the label sets whose counter grew in the dashboard range.
func countedRateBy(by, metric, selector string) string {
	return seenInRange(rateBy(by, metric, selector), by,
		fmt.Sprintf(`sum by (%s) (increase(%s{%s}[$__range]))`, by, metric, selector))
}

// maxInRange is the highest value of a series over the dashboard range, per label set.
func maxInRange(by, series string) string {
	return fmt.Sprintf(`max by (%s) (max_over_time(%s[$__range]))`, by, series)
}

// withCalls drops the NaN quantiles of methods without a call in the rate window.
func withCalls(quantile string) string {
	return quantile + ` >= 0`
}

// inFlight is a calls-in-flight gauge per method, for the methods it was above zero for.
func inFlight(gauge, selector string) string {
	by := "grpc_service, grpc_method"
	series := fmt.Sprintf(`%s{%s}`, gauge, selector)
	return seenInRange(fmt.Sprintf(`sum by (%s) (%s)`, by, series), by, maxInRange(by, series))
}

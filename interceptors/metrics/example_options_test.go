package metrics_test

import (
	"fmt"

	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/prometheus/client_golang/prometheus"
)

// An option given a value it cannot use makes Register fail, naming the option.
func ExampleWithHistogramBuckets_unsorted() {
	reg := prometheus.NewRegistry()
	err := reg.Register(metrics.NewServerMetrics(metrics.WithHistogramBuckets(0.1, 0.05, 1)))
	fmt.Println(err)
	// Output:
	// descriptor Desc{fqName: "", help: "", unit: "", constLabels: {}, variableLabels: {}} is invalid: metrics.WithHistogramBuckets: buckets not sorted: [0.1 0.05 1] (each bound must be greater than the one before)
}

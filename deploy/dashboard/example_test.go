package main

import "fmt"

// The panels of the dashboard, in order, with their visualisation.
func ExampleDashboard() {
	d, err := Dashboard()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range d.Panels {
		if p.RowPanel != nil {
			fmt.Println("row:", *p.RowPanel.Title)
			continue
		}
		fmt.Printf("  %s: %s\n", p.Panel.Type, *p.Panel.Title)
	}
	// Output:
	// row: Server: rate, errors, duration
	//   timeseries: Server requests/s by method
	//   timeseries: Server error ratio by method
	//   timeseries: Server non-OK codes/s by method and code
	//   timeseries: Server duration p50 / p95 / p99 by method
	//   timeseries: Calls in flight by method
	// row: Server: duration heatmap per method (exemplars link to traces)
	//   heatmap: Server duration heatmap: $method
	// row: Client: the calls made to these services
	//   timeseries: Client requests/s by calling job and method
	//   timeseries: Client error ratio by calling job and method
	//   timeseries: Client duration p99 by calling job and method
	// row: Health and SLO
	//   state-timeline: Health status over time
	//   state-timeline: Health checks over time
	//   timeseries: Availability burn rate (1h)
	//   timeseries: Latency burn rate (1h)
}

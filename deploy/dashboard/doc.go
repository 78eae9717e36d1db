// Command dashboard generates grpcobs' Grafana dashboard, grpcobs.json, from Go code with the
// Grafana Foundation SDK (github.com/grafana/grafana-foundation-sdk/go, pinned in this
// directory's own go.mod so the library's go.mod does not gain it).
//
// The dashboard shows, for the services a job serves: requests, errors and duration per
// method (with a heatmap of the handling histogram and trace exemplars), calls in flight, the
// client side of the same services, health status over time, and the SLO burn rates of
// deploy/prometheus. Regenerate and check it with make:
//
//	make dashboard        # writes deploy/dashboard/grpcobs.json
//	make dashboard-check  # fails when grpcobs.json is not what the code generates
//
// or by hand, from this directory:
//
//	go run . -o grpcobs.json
//	go run . -check grpcobs.json
//
// docs/operations.md maps every panel to its series and shows how to import the JSON.
package main

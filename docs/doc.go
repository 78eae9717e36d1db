// Package docs holds the project's documentation; its tests check that the Markdown renders
// as written (every table row belongs to a table) and that metrics.md's migration table from
// go-grpc-middleware's providers/prometheus names every function of that package, at the
// version bench pins.
package docs

// Package sloth holds the tests of grpcobs' SLOs as a Sloth spec (grpcobs.sloth.yml): the
// objectives are those of deploy/prometheus, and the rules Sloth generates from the spec
// alert on the same promtool scenarios as grpcobs' own rules. It is a module of its own, so
// that the library's go.mod does not carry a YAML parser for it. docs/operations.md
// explains the spec.
package sloth

#!/usr/bin/env bash
# Prints, as a Markdown list, what a benchmark figure depends on: the command that made it,
# the toolchain, the versions of the libraries measured and the machine. Run from bench/.
# Usage: environment.sh "COMMAND"
set -euo pipefail

cd "$(dirname "$0")"
command="${1:?usage: environment.sh COMMAND}"
modules=(
	google.golang.org/grpc
	go.opentelemetry.io/otel
	go.opentelemetry.io/otel/sdk
	go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc
	github.com/prometheus/client_golang
	github.com/sirupsen/logrus
	github.com/grpc-ecosystem/go-grpc-middleware/v2
	github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus
)

echo "- command: \`$command\`, on $(date -u +%Y-%m-%d)"
echo "- toolchain: $(go version | cut -d' ' -f3-)"
echo "- modules: $(go list -m -f '{{.Path}} {{.Version}}' "${modules[@]}" | sed 's/^/`/; s/$/`/' | paste -sd, - | sed 's/,/, /g')"
echo "- machine: $(nproc) CPUs ($(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(uname -s) $(uname -r | cut -d- -f1), shared with other work"

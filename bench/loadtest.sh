#!/usr/bin/env bash
# End-to-end load test: builds examples/server, runs it twice on free loopback ports (the full
# grpcobs stack, and -observability=false), drives each with ghz (pinned in tools/loadtest)
# on grpcobs.demo.v1.DemoService/Echo through server reflection, alternating the servers for
# a few rounds (each round in the other order), then reports throughput and p50/p99 of both
# and their ratios, and writes the table into docs/BENCHMARKS.md. Spans are not exported
# (OTEL_TRACES_EXPORTER=none) and the servers' logs go to /dev/null, so the test measures the
# instrumentation, not a collector.
#
# Knobs (environment):
#   REQUESTS=30000     calls per ghz run (the first WARMUP of them are not counted)
#   WARMUP=2000
#   CONCURRENCY=16     ghz workers
#   CONNECTIONS=1      ghz connections
#   LOADTEST_ROUNDS=5  runs per server, alternating
#   UPDATE_DOCS=1      0 leaves docs/BENCHMARKS.md alone
#   REQUIRE_OK=0       1 fails the run when any call did not end with OK (make loadtest-check)
set -euo pipefail

cd "$(dirname "$0")"
REPO="$(cd .. && pwd)"
REQUESTS="${REQUESTS:-30000}"
WARMUP="${WARMUP:-2000}"
CONCURRENCY="${CONCURRENCY:-16}"
CONNECTIONS="${CONNECTIONS:-1}"
LOADTEST_ROUNDS="${LOADTEST_ROUNDS:-5}"
UPDATE_DOCS="${UPDATE_DOCS:-1}"
REQUIRE_OK="${REQUIRE_OK:-0}"
OUT="out/loadtest"
GHZ="$REPO/.bin/ghz"
PAYLOAD="$(printf '0123456789%.0s' {1..10})" # 100 bytes, as in the Go benchmarks

if [[ ! -x "$GHZ" ]]; then
	echo ">> building the pinned ghz into .bin"
	(cd "$REPO/tools/loadtest" && go build -o "$REPO/.bin/" github.com/bojand/ghz/cmd/ghz)
fi

work="$(mktemp -d)"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

echo ">> building examples/server"
(cd "$REPO" && go build -o "$work/server" ./examples/server)

# port_is_free reports whether nothing listens on the loopback port.
port_is_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port prints a loopback port nothing listens on.
free_port() {
	local port
	while true; do
		port=$((20000 + RANDOM % 40000))
		if port_is_free "$port"; then
			echo "$port"
			return
		fi
	done
}

# start_server NAME FLAGS...: starts the server on free ports and sets $addr to its gRPC
# address once it accepts connections. Tries again on other ports if it cannot listen.
start_server() {
	local name="$1" attempt grpc_port http_port pid
	shift
	for attempt in 1 2 3 4 5; do
		grpc_port="$(free_port)"
		http_port="$(free_port)"
		OTEL_TRACES_EXPORTER=none "$work/server" -grpc-addr "127.0.0.1:$grpc_port" \
			-http-addr "127.0.0.1:$http_port" -admin-addr "" -drain 0s "$@" >/dev/null 2>&1 &
		pid=$!
		for _ in $(seq 1 100); do
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if ! port_is_free "$grpc_port"; then
				pids+=("$pid")
				addr="127.0.0.1:$grpc_port"
				echo ">> $name server on $addr"
				return
			fi
			sleep 0.1
		done
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		echo ">> $name server did not start (attempt $attempt), trying other ports" >&2
	done
	echo "$name server did not start" >&2
	exit 1
}

start_server "full-stack"
full_addr="$addr"
start_server "observability-off" -observability=false
bare_addr="$addr"

rm -rf "$OUT"
mkdir -p "$OUT"
full_reports=()
bare_reports=()
for round in $(seq 1 "$LOADTEST_ROUNDS"); do
	# Odd rounds run the full stack first, even rounds bare first, so that neither always runs
	# second, in whatever the first one left running.
	order="full bare"
	((round % 2 == 0)) && order="bare full"
	for server in $order; do
		target="$full_addr"
		[[ "$server" == bare ]] && target="$bare_addr"
		report="$OUT/$server-$round.json"
		echo ">> round $round/$LOADTEST_ROUNDS: $server ($REQUESTS calls, $CONCURRENCY workers)"
		"$GHZ" --insecure --call grpcobs.demo.v1.DemoService/Echo \
			--data "{\"message\":\"$PAYLOAD\"}" \
			--total "$REQUESTS" --skipFirst "$WARMUP" \
			--concurrency "$CONCURRENCY" --connections "$CONNECTIONS" \
			--format json --output "$report" "$target"
		if [[ "$server" == full ]]; then full_reports+=("$report"); else bare_reports+=("$report"); fi
	done
done

require_ok=()
[[ "$REQUIRE_OK" == 1 ]] && require_ok=(-require-ok)
table="$(go run ./cmd/loadreport "${require_ok[@]}" -full "${full_reports[*]}" -bare "${bare_reports[*]}")"
echo "$table"

if [[ "$UPDATE_DOCS" == 1 ]]; then
	echo ">> updating ../docs/BENCHMARKS.md"
	{
		./environment.sh "REQUESTS=$REQUESTS WARMUP=$WARMUP CONCURRENCY=$CONCURRENCY CONNECTIONS=$CONNECTIONS LOADTEST_ROUNDS=$LOADTEST_ROUNDS make loadtest"
		echo "- load generator: ghz $(cd "$REPO/tools/loadtest" && go list -m -f '{{.Version}}' github.com/bojand/ghz) (tools/loadtest), on the same machine, \`OTEL_TRACES_EXPORTER=none\`, server logs to /dev/null"
		echo
		echo "$table"
	} | go run ./cmd/splice -section loadtest ../docs/BENCHMARKS.md
fi

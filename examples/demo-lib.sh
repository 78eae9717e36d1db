# Shared by examples/demo.sh (`make demo`) and examples/up.sh (`make up`), which source it:
# the demo's processes on free loopback ports, stopped on exit, and the helpers both use.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.bin"
export PATH="$BIN:$PATH"
# DEMO_BIN: the demo's programs. WORK: its logs and Prometheus' data (GRPCOBS_DEMO_WORK moves
# them, so that a check can run beside a demo); SHOWN: WORK as the messages name it.
DEMO_BIN="$ROOT/.demo"
WORK="${GRPCOBS_DEMO_WORK:-$ROOT/.demo}"
SHOWN="${WORK#"$ROOT"/}"
mkdir -p "$DEMO_BIN" "$WORK"

# pids: every process started, stopped by stop_all on exit (EXIT trap).
pids=()
stop_all() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
}
trap stop_all EXIT

bold=""; reset=""
if [ -t 1 ]; then bold=$'\033[1m'; reset=$'\033[0m'; fi
section() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$reset"; }
indent() { sed 's/^/    /'; }

# build_demo builds the server, the client and the screenshot tool into .demo/, unless make
# has just done it (GRPCOBS_DEMO_BUILT=1).
build_demo() {
	[ "${GRPCOBS_DEMO_BUILT:-}" = 1 ] && return 0
	echo "building examples/server, examples/client and the screenshot tool into .demo/"
	(cd "$ROOT" && go build -o "$DEMO_BIN/server" ./examples/server && go build -o "$DEMO_BIN/client" ./examples/client)
	(cd "$ROOT/interceptors/statuspage/browsertest" && go build -o "$DEMO_BIN/screenshot" ./cmd/screenshot)
}

# serving_field FILE KEY waits for the server's "serving" line and prints one of its fields
# ("null" when the line has no such field).
serving_field() {
	local file="$1" key="$2"
	for _ in $(seq 1 200); do
		if grep -q '"msg":"serving"' "$file" 2>/dev/null; then
			grep '"msg":"serving"' "$file" | head -1 | jq -r --arg k "$key" '.[$k]'
			return 0
		fi
		sleep 0.05
	done
	echo "the server did not start; its stderr:" >&2
	cat "${file%.log}.err" >&2 || true
	return 1
}

# start_servers FLAG... starts an upstream dependency (upstream.log), then the demo server
# gated by it (server.log), each on free loopback ports, with the extra server flags given.
# It sets upstream_pid, server_pid, UPSTREAM, GRPC, HTTP (/metrics, /healthz and /readyz
# with the status alone), ADMIN (the status page, /healthz and /readyz with details) and
# STATUSPAGE (the status page's URL).
start_servers() {
	OTEL_TRACES_EXPORTER=none "$DEMO_BIN/server" -grpc-addr 127.0.0.1:0 -http-addr 127.0.0.1:0 -admin-addr 127.0.0.1:0 -drain 0s \
		>"$WORK/upstream.log" 2>"$WORK/upstream.err" &
	upstream_pid=$!
	pids+=("$upstream_pid")
	UPSTREAM="$(serving_field "$WORK/upstream.log" grpc.addr)"

	"$DEMO_BIN/server" -grpc-addr 127.0.0.1:0 -http-addr 127.0.0.1:0 -admin-addr 127.0.0.1:0 -dependency-addr "$UPSTREAM" \
		"$@" >"$WORK/server.log" 2>"$WORK/server.err" &
	server_pid=$!
	pids+=("$server_pid")
	GRPC="$(serving_field "$WORK/server.log" grpc.addr)"
	HTTP="$(serving_field "$WORK/server.log" http.addr)"
	ADMIN="$(serving_field "$WORK/server.log" admin.addr)"
	STATUSPAGE="$(serving_field "$WORK/server.log" statuspage.url)"
}

# label_expected marks the calls of the client's output (CALL CODE TRACE-ID lines) that fail
# on purpose, a line at a time (fflush), so that a file it writes can be followed live.
label_expected() {
	awk '$1 == "Echo" && $2 == "NotFound" { $0 = $0 "  <- expected: it asks the server to fail (fail_code 5)" }
		$1 == "Echo-unavailable" && $2 == "Unavailable" { $0 = $0 "  <- expected: the server fails every attempt (fail_code 14)" }
		{ print; fflush() }'
}

probe() { grpc_health_probe -addr="$1" -service="$2" -connect-timeout=2s -rpc-timeout=2s >/dev/null 2>&1 && echo 0 || echo $?; }

wait_probe() {
	local addr="$1" service="$2" want="$3"
	for _ in $(seq 1 100); do
		[ "$(probe "$addr" "$service")" = "$want" ] && return 0
		sleep 0.1
	done
	echo "grpc_health_probe -service=$service never gave $want" >&2
	return 1
}

# ---- Prometheus (deploy/prometheus), built by make into .bin/prometheus. ----
PROM=""
PROM_DIR="$WORK/prometheus"

# prom_query EXPR prints the result of an instant query as JSON lines {metric, value}.
prom_query() {
	curl -s --get --data-urlencode "query=$1" "http://$PROM/api/v1/query" |
		jq -c '.data.result[] | {metric, value: .value[1]}'
}

# start_prometheus TARGET runs the pinned Prometheus against TARGET with the rules of
# deploy/prometheus, the health alert's `for` cut to 5s for the demo, scraping and evaluating
# every second. It sets PROM to its address and prom_pid.
start_prometheus() {
	local target="$1" port
	rm -rf "$PROM_DIR" && mkdir -p "$PROM_DIR"
	cp "$ROOT"/deploy/prometheus/grpc-recording.rules.yml "$ROOT"/deploy/prometheus/grpc-slo.rules.yml "$PROM_DIR/"
	sed '/alert: GRPCHealthServiceNotServing/,/for:/ s/for: .*/for: 5s/' \
		"$ROOT/deploy/prometheus/grpc-health.rules.yml" >"$PROM_DIR/grpc-health.demo.rules.yml"
	grep -q 'for: 5s' "$PROM_DIR/grpc-health.demo.rules.yml" || { echo "could not shorten the health alert's for" >&2; return 1; }
	cat >"$PROM_DIR/prometheus.yml" <<-EOC
		global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
		rule_files: ["$PROM_DIR/*.rules.yml"]
		scrape_configs:
		  - job_name: grpcobs-demo
		    static_configs: [{targets: ["$target"]}]
	EOC
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		(echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue # taken
		"$BIN/prometheus" --config.file="$PROM_DIR/prometheus.yml" --storage.tsdb.path="$PROM_DIR/data" \
			--web.listen-address="127.0.0.1:$port" >"$PROM_DIR/prometheus.log" 2>&1 &
		prom_pid=$!
		pids+=("$prom_pid")
		for _ in $(seq 1 100); do
			if curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then
				PROM="127.0.0.1:$port"
				return 0
			fi
			kill -0 "$prom_pid" 2>/dev/null || break # it exited: the port was taken after all
			sleep 0.1
		done
	done
	echo "prometheus did not start; its log:" >&2
	cat "$PROM_DIR/prometheus.log" >&2
	return 1
}

# wait_scraped waits until Prometheus has scraped the demo server once.
wait_scraped() {
	for _ in $(seq 1 100); do
		[ -n "$(prom_query 'grpc_server_handled_total{job="grpcobs-demo"}' | head -1)" ] && return 0
		sleep 0.1
	done
}

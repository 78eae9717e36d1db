#!/usr/bin/env bash
# The grpcobs demo, run by `make demo`: a real server and client, health probes, metrics,
# correlated logs and traces, a dependency outage and a SIGTERM drain. Everything listens on
# free loopback ports and is stopped on exit, also when interrupted.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$ROOT/.demo"
BIN="$ROOT/.bin"
export PATH="$BIN:$PATH"
mkdir -p "$WORK"
rm -f "$WORK"/*.log "$WORK"/*.err

pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bold=""; reset=""
if [ -t 1 ]; then bold=$'\033[1m'; reset=$'\033[0m'; fi
section() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$reset"; }
indent() { sed 's/^/    /'; }

# serving_field FILE KEY waits for the server's "serving" line and prints one of its fields.
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

meaning() {
	case "$1" in
	0) echo "SERVING" ;;
	2) echo "connection failure" ;;
	3) echo "RPC failure (NotFound: unknown service)" ;;
	4) echo "NOT_SERVING" ;;
	*) echo "exit $1" ;;
	esac
}

section "Build: examples/server and examples/client"
(cd "$ROOT" && go build -o "$WORK/server" ./examples/server && go build -o "$WORK/client" ./examples/client)
echo "built into .demo/"

section "Start an upstream dependency, then the server gated by it"
OTEL_TRACES_EXPORTER=none "$WORK/server" -grpc-addr 127.0.0.1:0 -http-addr 127.0.0.1:0 \
	>"$WORK/upstream.log" 2>"$WORK/upstream.err" &
upstream_pid=$!
pids+=("$upstream_pid")
UPSTREAM="$(serving_field "$WORK/upstream.log" grpc.addr)"

OTEL_TRACES_EXPORTER=console OTEL_BSP_SCHEDULE_DELAY=200 "$WORK/server" \
	-grpc-addr 127.0.0.1:0 -http-addr 127.0.0.1:0 -dependency-addr "$UPSTREAM" \
	-check-interval 500ms -drain 2s >"$WORK/server.log" 2>"$WORK/server.err" &
server_pid=$!
pids+=("$server_pid")
GRPC="$(serving_field "$WORK/server.log" grpc.addr)"
HTTP="$(serving_field "$WORK/server.log" http.addr)"
echo "server: gRPC $GRPC, HTTP $HTTP, dependency $UPSTREAM"
grep '"msg":"serving"' "$WORK/server.log" | jq -c . | indent
wait_probe "$GRPC" readiness 0

section "Client: each of the four kinds twice, plus one call that fails on purpose"
OTEL_TRACES_EXPORTER=none "$WORK/client" -addr "$GRPC" -n 2 -baggage "user=alice,tenant=acme" \
	2>"$WORK/client.log" | tee "$WORK/client.out" | indent

section "Reflection: grpcurl needs no .proto files"
echo "\$ grpcurl -plaintext $GRPC list" | indent
grpcurl -plaintext "$GRPC" list | indent
echo "\$ grpcurl -plaintext -d '{\"message\":\"hi from grpcurl\"}' $GRPC grpcobs.demo.v1.DemoService/Echo" | indent
grpcurl -plaintext -d '{"message":"hi from grpcurl"}' "$GRPC" grpcobs.demo.v1.DemoService/Echo | indent

section "Health: grpc_health_probe against every health service"
for service in "" liveness readiness grpcobs.demo.v1.DemoService no.such.Service; do
	code="$(probe "$GRPC" "$service")"
	printf '%-42s exit %s  %s\n' "-service=\"$service\"" "$code" "$(meaning "$code")" | indent
done

section "Readiness report: GET /readyz"
curl -s -w '\nHTTP %{http_code}\n' "http://$HTTP/readyz" | indent

section "A slice of /metrics (OpenMetrics, so exemplars carry trace ids)"
curl -s -H 'Accept: application/openmetrics-text; version=1.0.0' "http://$HTTP/metrics" |
	grep -E '^grpc_server_(started_total|handled_total|handling_seconds_bucket)\{.*grpc_method="Echo"' |
	grep -E 'started|# \{trace_id' | head -8 | indent

section "One call, three signals: its log lines and its spans share the trace id"
TRACE_ID="$(awk '$1 == "Echo" && $2 == "OK" { print $3; exit }' "$WORK/client.out")"
echo "trace id of the first Echo: $TRACE_ID" | indent
echo "server log lines:" | indent
grep "\"trace_id\":\"$TRACE_ID\"" "$WORK/server.log" |
	jq -c '{msg, level, "grpc.method", "grpc.code", "grpc.time_ms", "baggage.user", trace_id, span_id} | with_entries(select(.value != null))' | indent
sleep 0.5 # the batch span processor exports every 200ms
echo "server spans (console exporter, on stderr):" | indent
jq -c --arg t "$TRACE_ID" 'select(.SpanContext.TraceID == $t) | {Name, SpanKind, TraceID: .SpanContext.TraceID, SpanID: .SpanContext.SpanID, Parent: .Parent.SpanID}' \
	"$WORK/server.err" 2>/dev/null | indent

section "The dependency goes down: readiness turns NOT_SERVING, liveness does not"
kill "$upstream_pid"
wait "$upstream_pid" 2>/dev/null || true
wait_probe "$GRPC" readiness 4
for service in readiness "" liveness; do
	code="$(probe "$GRPC" "$service")"
	printf '%-42s exit %s  %s\n' "-service=\"$service\"" "$code" "$(meaning "$code")" | indent
done
echo "transition log lines:" | indent
jq -c 'select(has("health.status") or has("health.service")) | with_entries(select(.key != "time"))' "$WORK/server.log" | tail -5 | indent
printf 'GET /readyz -> HTTP %s\n' "$(curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/readyz")" | indent

section "SIGTERM: every service NOT_SERVING at once, drain, graceful stop, exit 0"
kill -TERM "$server_pid"
sleep 0.3
code="$(probe "$GRPC" liveness)"
printf 'during the drain: -service="liveness" exit %s  %s\n' "$code" "$(meaning "$code")" | indent
status=0
wait "$server_pid" || status=$?
echo "server exited with $status" | indent
grep -E '"msg":"(draining[^"]*|stopped)"' "$WORK/server.log" | jq -c '{level, msg}' | indent
[ "$status" -eq 0 ]

section "Done"
echo "logs, spans and outputs are in .demo/ (server.log: JSON lines; server.err: console spans)"

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

# ---- Prometheus (deploy/prometheus): optional, when `make prometheus` has built it. ----
PROM=""
PROM_DIR="$WORK/prometheus"

# prom_query EXPR prints the result of an instant query as JSON lines {metric, value}.
prom_query() {
	curl -s --get --data-urlencode "query=$1" "http://$PROM/api/v1/query" |
		jq -c '.data.result[] | {metric, value: .value[1]}'
}

# start_prometheus TARGET runs the pinned Prometheus against TARGET with the rules of
# deploy/prometheus, the health alert's `for` cut to 5s for the demo, scraping and evaluating
# every second. It sets PROM to its address.
start_prometheus() {
	local target="$1" port
	rm -rf "$PROM_DIR" && mkdir -p "$PROM_DIR"
	cp "$ROOT"/deploy/prometheus/grpc-recording.rules.yml "$ROOT"/deploy/prometheus/grpc-slo.rules.yml "$PROM_DIR/"
	sed '/alert: GRPCHealthServiceNotServing/,/for:/ s/for: .*/for: 5s/' \
		"$ROOT/deploy/prometheus/grpc-health.rules.yml" >"$PROM_DIR/grpc-health.demo.rules.yml"
	grep -q 'for: 5s' "$PROM_DIR/grpc-health.demo.rules.yml" || { echo "could not shorten the health alert's for" >&2; return 1; }
	cat >"$PROM_DIR/prometheus.yml" <<-EOF
		global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
		rule_files: ["$PROM_DIR/*.rules.yml"]
		scrape_configs:
		  - job_name: grpcobs-demo
		    static_configs: [{targets: ["$target"]}]
	EOF
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		(echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue # taken
		"$BIN/prometheus" --config.file="$PROM_DIR/prometheus.yml" --storage.tsdb.path="$PROM_DIR/data" \
			--web.listen-address="127.0.0.1:$port" >"$PROM_DIR/prometheus.log" 2>&1 &
		pids+=("$!")
		for _ in $(seq 1 100); do
			if curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then
				PROM="127.0.0.1:$port"
				return 0
			fi
			kill -0 "$!" 2>/dev/null || break # it exited: the port was taken after all
			sleep 0.1
		done
	done
	echo "prometheus did not start; its log:" >&2
	cat "$PROM_DIR/prometheus.log" >&2
	return 1
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

section "Prometheus: scrape the server with the rules of deploy/prometheus"
if [ -x "$BIN/prometheus" ]; then
	start_prometheus "$HTTP"
	for _ in $(seq 1 100); do
		[ -n "$(prom_query 'grpc_server_handled_total{job="grpcobs-demo"}' | head -1)" ] && break
		sleep 0.1
	done
	echo "prometheus (module $(awk '$1 == "github.com/prometheus/prometheus" { print $2 }' "$ROOT/tools/prometheus/go.mod"), pinned in tools/prometheus) on $PROM scrapes $HTTP every second; rules:" | indent
	(cd "$PROM_DIR" && ls ./*.rules.yml) | sed 's|^\./||' | indent
	echo "the demo's copy of the health alert waits 5s (deploy/prometheus says 5m)" | indent
else
	echo "no Prometheus in .bin: \`make prometheus\` builds the pinned one (a few minutes), then run the demo again" | indent
	echo "going on without it" | indent
fi

section "Client: each of the four kinds twice, one call that fails on purpose, one retried"
OTEL_TRACES_EXPORTER=console OTEL_METRICS_EXPORTER=console "$WORK/client" -addr "$GRPC" -n 2 -baggage "user=alice,tenant=acme" \
	2>"$WORK/client.log" | tee "$WORK/client.out" | indent

section "OpenTelemetry metrics: the client's call durations (OTEL_METRICS_EXPORTER=console, on stderr)"
jq -r 'select(.ScopeMetrics?) | .ScopeMetrics[]
	| select(.Scope.Name == "github.com/grpcobs/grpcobs/interceptors/otelmetrics") | .Metrics[]
	| .Name as $n | .Unit as $u | .Data.DataPoints[]
	| "\($n) (\($u)) \([.Attributes[] | "\(.Key)=\(.Value.Value)"] | join(" ")) count=\(.Count)"' \
	"$WORK/client.log" | sort | indent

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

section "A retried call: one call span, a child span per attempt, each attempt's server span"
RETRIED="$(awk '$1 == "Echo-retried" { print $3; exit }' "$WORK/client.out")"
echo "the client's Echo-retried asks the server to refuse its first attempt (unavailable_attempts 1);" | indent
echo "its retry policy makes a second one. Trace $RETRIED, client spans then server spans:" | indent
jq -c --arg t "$RETRIED" 'select(.SpanContext?.TraceID == $t) |
	{Name, SpanKind, SpanID: .SpanContext.SpanID, Parent: .Parent.SpanID, Status: .Status.Code,
	 "previous-rpc-attempts": ([.Attributes[]? | select(.Key == "previous-rpc-attempts") | .Value.Value][0])}
	| with_entries(select(.value != null))' "$WORK/client.log" "$WORK/server.err" 2>/dev/null | indent
echo "its client log line:" | indent
jq -c --arg t "$RETRIED" 'select(.trace_id? == $t and .msg == "finished call") |
	{msg, "grpc.method", "grpc.code", "grpc.attempts", "grpc.attempt_codes", trace_id}' "$WORK/client.log" | indent

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

section "Prometheus: the health alert, then the recorded error ratio and p99 per method"
if [ -n "$PROM" ]; then
	echo "GRPCHealthServiceNotServing (the demo's copy waits 5s), from Prometheus' /api/v1/alerts:" | indent
	declare -A last_state=()
	for _ in $(seq 1 200); do
		while IFS='|' read -r service state active; do
			[ "${last_state[s$service]:-}" = "$state" ] && continue # "s" lets "" be a key
			last_state[s$service]="$state"
			printf '%s  %-8s service="%s"%s\n' "$(date -u +%H:%M:%S)" "$state" "$service" \
				"$([ "$state" = pending ] && echo "  (active since ${active:11:8})")" | indent
		done < <(curl -s "http://$PROM/api/v1/alerts" | jq -r '.data.alerts[] |
			select(.labels.alertname == "GRPCHealthServiceNotServing") |
			[.labels.service // "", .state, .activeAt] | join("|")' | sort)
		[ "${last_state[sreadiness]:-}" = firing ] && break
		sleep 0.1
	done
	[ "${last_state[sreadiness]:-}" = firing ] || { echo "the health alert never fired for readiness" >&2; exit 1; }

	echo "one more Echo, failing with a server error (Unavailable), so the error ratio has something to count:" | indent
	grpcurl -plaintext -d '{"message":"please fail","fail_code":14}' "$GRPC" grpcobs.demo.v1.DemoService/Echo 2>&1 | indent || true
	for _ in $(seq 1 100); do
		[ -n "$(prom_query 'job_service_method:grpc_server_errors:rate5m{job="grpcobs-demo",grpc_method="Echo"} > 0')" ] && break
		sleep 0.1
	done
	sleep 1 # one more evaluation: every rule group has seen the last scrape
	printf '%-38s %-19s %s\n' "SERVICE/METHOD" "SERVER ERROR RATIO" "P99 (classic buckets)" | indent
	{
		prom_query 'job_service_method:grpc_server_error_ratio:rate5m{job="grpcobs-demo"}' | jq -c '{s: .metric.grpc_service, m: .metric.grpc_method, k: "ratio", v: .value}'
		prom_query 'job_service_method:grpc_server_handling_seconds:quantile_rate5m{job="grpcobs-demo",quantile="0.99",histogram="classic"}' | jq -c '{s: .metric.grpc_service, m: .metric.grpc_method, k: "p99", v: .value}'
	} | jq -rs 'group_by(.s, .m)[] | {name: ((.[0].s | split(".") | last) + "/" + .[0].m)} + (map({(.k): .v}) | add) |
		[.name,
		 (if (.ratio // "NaN") == "NaN" then "no calls" else (((.ratio | tonumber) * 1000 | round) / 10 | tostring) + "%" end),
		 (if (.p99 // "NaN") == "NaN" then "-" else (((.p99 | tonumber) * 1e6 | round) / 1000 | tostring) + " ms" end)] | @tsv' |
		awk -F'\t' '{ printf "%-38s %-19s %s\n", $1, $2, $3 }' | indent
	echo "(Echo: the client's NotFound is the caller's problem, not a server error; Unavailable is one)" | indent
else
	echo "skipped: no Prometheus (\`make prometheus\` builds it)" | indent
fi

section "The status page: calls per method, recent failures, the health timeline"
STATUSPAGE="$(serving_field "$WORK/server.log" statuspage.url)"
echo "open $STATUSPAGE while the server runs (JSON for scripts: $STATUSPAGE?format=json)"
curl -s "$STATUSPAGE?format=json" |
	jq -c '.server.methods[] | {method, calls, errors, p99_seconds: .latency_p99_seconds}' | indent
(cd "$ROOT/interceptors/statuspage/browsertest" && go build -o "$WORK/screenshot" ./cmd/screenshot)
"$WORK/screenshot" -url "$STATUSPAGE?refresh=off" -out "$WORK/statuspage.png"
echo "headless Chromium saved .demo/statuspage.png (docs/statuspage.png is the committed one)" | indent

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

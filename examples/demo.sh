#!/usr/bin/env bash
# The grpcobs demo, run by `make demo`: a real server and client, health probes, metrics,
# correlated logs and traces, a dependency outage and a SIGTERM drain. Everything listens on
# free loopback ports and is stopped on exit, also when interrupted.
set -euo pipefail
# shellcheck source=examples/demo-lib.sh
source "$(dirname "$0")/demo-lib.sh"
rm -f "$WORK"/*.log "$WORK"/*.err
trap 'exit 130' INT TERM

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
build_demo
echo "built into .demo/"

section "Start an upstream dependency, then the server gated by it"
OTEL_TRACES_EXPORTER=console OTEL_BSP_SCHEDULE_DELAY=200 start_servers -check-interval 500ms -drain 2s
echo "server: gRPC $GRPC, HTTP $HTTP (metrics, health status), admin $ADMIN (status page, health details), dependency $UPSTREAM"
grep '"msg":"serving"' "$WORK/server.log" | jq -c 'del(."statuspage.url")' | indent
wait_probe "$GRPC" readiness 0

section "Prometheus: scrape the server with the rules of deploy/prometheus"
if [ -x "$BIN/prometheus" ]; then
	start_prometheus "$HTTP"
	wait_scraped
	echo "prometheus (module $(awk '$1 == "github.com/prometheus/prometheus" { print $2 }' "$ROOT/tools/prometheus/go.mod"), pinned in tools/prometheus) on $PROM scrapes $HTTP every second; rules:" | indent
	(cd "$PROM_DIR" && ls ./*.rules.yml) | sed 's|^\./||' | indent
	echo "the demo's copy of the health alert waits 5s (deploy/prometheus says 5m)" | indent
else
	echo "no Prometheus in .bin: \`make demo\` builds the pinned one (make prometheus alone does too)" | indent
	echo "going on without it" | indent
fi

section "Client: each of the four kinds twice, one call that fails on purpose, one retried"
OTEL_TRACES_EXPORTER=console OTEL_METRICS_EXPORTER=console "$DEMO_BIN/client" -addr "$GRPC" -n 2 -baggage "user=alice,tenant=acme" \
	2>"$WORK/client.log" | tee "$WORK/client.out" |
	label_expected | indent

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
	note=""
	[ "$service" = no.such.Service ] && note="  <- expected: no such service is registered"
	printf '%-42s exit %s  %s%s\n' "-service=\"$service\"" "$code" "$(meaning "$code")" "$note" | indent
done

section "Readiness: GET /readyz, the status alone on the public listener, the checks on the admin one"
echo "GET /readyz on the public listener (for load balancers):" | indent
curl -s -w 'HTTP %{http_code}\n' "http://$HTTP/readyz" | indent
echo "GET /readyz on the admin listener:" | indent
curl -s -w 'HTTP %{http_code}\n' "http://$ADMIN/readyz" | indent

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

section "log/slog: the client once more with -log-backend=slog, its log records also through OpenTelemetry"
OTEL_TRACES_EXPORTER=none OTEL_LOGS_EXPORTER=console "$DEMO_BIN/client" -addr "$GRPC" -n 1 -log-backend slog \
	2>"$WORK/client-slog.log" >"$WORK/client-slog.out"
finished='select(.msg? == "finished call" and ."grpc.method" == "Echo" and ."grpc.code" == "OK") | del(.time, ."grpc.request.deadline")'
echo "an Echo's finished-call line from logrus (the client above, client.log), keys sorted:" | indent
jq -cnS "first(inputs | $finished)" "$WORK/client.log" | indent
echo "and from log/slog (-log-backend=slog, client-slog.log): the same fields, slog's level names:" | indent
jq -cnS "first(inputs | $finished)" "$WORK/client-slog.log" | indent
SLOG_TRACE="$(awk '$1 == "Echo" && $2 == "OK" { print $3; exit }' "$WORK/client-slog.out")"
echo "its OpenTelemetry log record, through otelslog (OTEL_LOGS_EXPORTER=console: on stderr, flushed at exit; otlp sends it to a collector):" | indent
jq -c --arg t "$SLOG_TRACE" 'select(.Body?.Value == "finished call" and .TraceID == $t) |
	{Body: .Body.Value, SeverityText, TraceID, SpanID, Scope: .Scope.Name}' "$WORK/client-slog.log" | indent

section "The dependency goes down: readiness turns NOT_SERVING, liveness does not"
kill "$upstream_pid"
wait "$upstream_pid" 2>/dev/null || true
wait_probe "$GRPC" readiness 4
for service in readiness "" liveness; do
	code="$(probe "$GRPC" "$service")"
	note=""
	[ "$code" = 4 ] && note="  <- expected: its dependency is down"
	printf '%-42s exit %s  %s%s\n' "-service=\"$service\"" "$code" "$(meaning "$code")" "$note" | indent
done
echo "transition log lines:" | indent
jq -c 'select(has("health.status") or has("health.service")) | with_entries(select(.key != "time"))' "$WORK/server.log" | tail -5 | indent
code="$(curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/readyz")"
printf 'GET /readyz -> HTTP %s%s\n' "$code" "$([ "$code" = 503 ] && echo "  <- expected: not ready while its dependency is down")" | indent

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

	echo "one more Echo, failing with a server error, so the error ratio has something to count" | indent
	echo "(expected: the server fails this call on purpose, fail_code 14, and grpcurl reports the error):" | indent
	out="$(grpcurl -plaintext -d '{"message":"please fail","fail_code":14}' "$GRPC" grpcobs.demo.v1.DemoService/Echo 2>&1)" &&
		{ echo "grpcurl succeeded, but the server should have failed the call: $out" >&2; exit 1; }
	grep -q 'Code: Unavailable' <<<"$out" || { echo "grpcurl did not get Unavailable: $out" >&2; exit 1; }
	sed 's/^/expected> /' <<<"$out" | indent
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
	echo "skipped: no Prometheus (\`make demo\` builds it)" | indent
fi

section "The status page: calls per method, recent failures, the health timeline"
echo "GET /debug/grpcobs?format=json on the admin listener (the page's JSON for scripts):" | indent
curl -s "$STATUSPAGE?format=json" |
	jq -c '.server.methods[] | {method, calls, errors, p99_seconds: .latency_p99_seconds}' | indent
"$DEMO_BIN/screenshot" -url "$STATUSPAGE?refresh=off" -out "$WORK/statuspage.png"
echo "headless Chromium saved .demo/statuspage.png (docs/statuspage.png is the committed one)" | indent

section "SIGTERM: every service NOT_SERVING at once, drain, graceful stop, exit 0"
kill -TERM "$server_pid"
sleep 0.3
code="$(probe "$GRPC" liveness)"
printf 'during the drain: -service="liveness" exit %s  %s%s\n' "$code" "$(meaning "$code")" \
	"$([ "$code" = 4 ] && echo "  <- expected: draining, every service says NOT_SERVING so balancers move away")" | indent
status=0
wait "$server_pid" || status=$?
echo "server exited with $status" | indent
grep -E '"msg":"(draining[^"]*|stopped)"' "$WORK/server.log" | jq -c '{level, msg}' | indent
[ "$status" -eq 0 ]

section "Done"
echo "logs, spans and outputs are in .demo/ (server.log: JSON lines; server.err: console spans)"
echo "everything above has been stopped: \`make up\` keeps a server, client traffic and Prometheus running to explore"

#!/usr/bin/env bash
# `make up`: the demo kept running to be explored. An upstream dependency, the demo server
# gated by it, examples/client -loop sending a steady mix of calls (some failing on purpose,
# some retried) and the pinned Prometheus with the rules of deploy/prometheus, all on free
# loopback ports, until Ctrl-C (SIGINT) or SIGTERM; then every process is stopped and waited
# for, and the script exits 0 when each of them exited cleanly.
#
# RATE (calls a second, default 5) sets the client's pace.
set -euo pipefail
# shellcheck source=examples/demo-lib.sh
source "$(dirname "$0")/demo-lib.sh"
rm -f "$WORK"/up-*.log "$WORK"/up-*.out "$WORK"/*.log "$WORK"/*.err

stopping=""
trap 'stopping=1' INT TERM

build_demo
[ -x "$BIN/prometheus" ] || { echo "no .bin/prometheus: run \`make up\`, which builds it" >&2; exit 1; }
start_servers -check-interval 1s -drain 1s
wait_probe "$GRPC" readiness 0
start_prometheus "$HTTP"

# The client's calls go to up-client.out through label_expected, which ignores the Ctrl-C
# (sent to every process of the terminal's group) so that it writes the client's last lines.
exec {labels}> >(trap '' INT TERM; label_expected >"$WORK/up-client.out")
labels_pid=$!
"$DEMO_BIN/client" -addr "$GRPC" -loop -rate "${RATE:-5}" -baggage "user=alice,tenant=acme" \
	>&"$labels" 2>"$WORK/up-client.log" &
client_pid=$!
pids+=("$client_pid")
exec {labels}>&-
wait_scraped

start="$(date -u +%s)" end=$((start + 3600)) # the graph's hour
section "Running until Ctrl-C: a server, its upstream, a client sending ${RATE:-5} calls a second, Prometheus"
cat <<EOT
    status page      http://$ADMIN/debug/grpcobs
    health report    http://$ADMIN/readyz   (the checks; the public http://$HTTP/readyz has the status alone)
    metrics          http://$HTTP/metrics
    alerts           http://$PROM/api/v1/alerts
    rules            http://$PROM/api/v1/rules
    graph (data)     http://$PROM/api/v1/query_range?query=job_service_method:grpc_server_error_ratio:rate5m&start=$start&end=$end&step=5
    (Prometheus' web UI needs npm to build, which a Go build does not run: its HTTP API answers
    in JSON, e.g. http://$PROM/api/v1/query?query=grpc_server_handled_total)

    gRPC             $GRPC   e.g. .bin/grpcurl -plaintext $GRPC list
                                  .bin/grpc_health_probe -addr $GRPC -service readiness
                                  (make built both into .bin/, which is not on your PATH)
    the client's calls, one line each: $SHOWN/up-client.out; its logs: $SHOWN/up-client.log;
    the server's logs: $SHOWN/server.log; to see an outage: kill $upstream_pid (the upstream)

    expected: the client's Echo NotFound and Echo-unavailable fail on purpose (marked in
    up-client.out), and Echo-unavailable is a server error, so the alerts show
    GRPCServerErrorBudgetBurn firing (page and ticket) within a minute
EOT

# Until a signal, or the server, the client or Prometheus ends on its own (the upstream is
# yours to stop).
wait -n "$server_pid" "$client_pid" "$prom_pid" || true
sleep 0.2 # a Ctrl-C reaches every process at once: let its trap run before looking
[ -n "$stopping" ] || echo "a demo process ended on its own; stopping the others" >&2

# Stop in order (the client before the server it calls) and collect every exit status: on
# Ctrl-C each stops cleanly and exits 0.
section "Stopping"
failed=0
for name in client server upstream prometheus; do
	case "$name" in
	client) pid=$client_pid sig=INT ;;
	server) pid=$server_pid sig=TERM ;;
	upstream) pid=$upstream_pid sig=TERM ;;
	prometheus) pid=$prom_pid sig=TERM ;;
	esac
	kill -s "$sig" "$pid" 2>/dev/null || true
	status=0
	wait "$pid" || status=$?
	printf '%-11s exited with %s\n' "$name" "$status" | indent
	[ "$status" -eq 0 ] || failed=1
done
pids=()
wait "$labels_pid" 2>/dev/null || true # the client's last lines are in up-client.out
echo "the client's calls, by code:" | indent
grep '^  grpc_client_handled_total' "$WORK/up-client.out" | indent
[ "$failed" -eq 0 ]

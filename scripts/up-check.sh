#!/usr/bin/env bash
# Checks `make up` (examples/up.sh, with its programs already built by make): started in a
# session of its own, as a terminal would run it, it prints its URLs; each answers 200; the
# grpcurl and grpc_health_probe commands it prints run as printed; the client's traffic has
# calls that succeeded, failed (each labelled as expected) and were retried; then a Ctrl-C
# (SIGINT to the whole process group, as a terminal sends it) stops every process, the URLs
# stop answering, the client's last lines (its counts) are in its output, and the script
# exits 0.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
pgid=""
finish() {
	[ -n "$pgid" ] && kill -KILL -- "-$pgid" 2>/dev/null || true
	rm -rf "$work"
}
trap finish EXIT
fail() {
	echo "up-check: $*" >&2
	echo "--- examples/up.sh printed:" >&2
	cat "$work/out" >&2
	exit 1
}

# setsid: the leader of a new session and process group, like a terminal's job; env: SIGINT
# handled as in a terminal (a script's background jobs start with it ignored, and bash cannot
# trap a signal ignored on entry).
GRPCOBS_DEMO_WORK="$work/demo" GRPCOBS_DEMO_BUILT=1 RATE=20 \
	setsid env --default-signal=INT "$ROOT/examples/up.sh" >"$work/out" 2>&1 </dev/null &
pgid=$!
for _ in $(seq 1 600); do
	grep -q 'Running until Ctrl-C' "$work/out" && break
	kill -0 "$pgid" 2>/dev/null || fail "it exited before printing its URLs"
	sleep 0.1
done
grep -q 'Running until Ctrl-C' "$work/out" || fail "no URLs within 60s"

mapfile -t urls < <(grep -oE 'http://[^ )]+' "$work/out")
[ "${#urls[@]}" -ge 6 ] || fail "printed ${#urls[@]} URLs, want at least 6"
for url in "${urls[@]}"; do
	code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url")" || true
	[ "$code" = 200 ] || fail "GET $url: HTTP $code, want 200"
done
echo "up-check: ${#urls[@]} URLs answered 200"

# The gRPC commands it suggests work as printed, from the repository's root, with .bin/ off
# the PATH.
mapfile -t cmds < <(grep -oE '\.bin/(grpcurl|grpc_health_probe) [^(]*' "$work/out" | sed 's/ *$//')
[ "${#cmds[@]}" -ge 2 ] || fail "printed ${#cmds[@]} grpcurl or grpc_health_probe commands, want 2"
for cmd in "${cmds[@]}"; do
	(cd "$ROOT" && PATH=/usr/bin:/bin bash -c "$cmd") >/dev/null 2>&1 || fail "the command it printed failed: $cmd"
done
echo "up-check: ${#cmds[@]} gRPC commands ran as printed"

# The client's mix, once a round has gone by: OK, failed on purpose, retried, failed by the server.
for _ in $(seq 1 100); do
	grep -q '^Echo-unavailable *Unavailable' "$work/demo/up-client.out" 2>/dev/null && break
	sleep 0.1
done
for want in '^Echo  *OK' '^Echo  *NotFound' '^Echo-retried  *OK' '^Echo-unavailable  *Unavailable'; do
	grep -q "$want" "$work/demo/up-client.out" || fail "the client made no call matching $want"
done
# Every call that failed is one that fails on purpose, and says so.
if unlabelled="$(grep -E '^[A-Za-z-]+ +[A-Za-z]+ +[0-9a-f]{32}' "$work/demo/up-client.out" | grep -v '^[A-Za-z-]* *OK ' | grep -v '<- expected: ')"; then
	fail "failed calls not labelled as expected: $unlabelled"
fi

kill -INT -- "-$pgid"
status=0
for _ in $(seq 1 300); do
	kill -0 "$pgid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pgid" 2>/dev/null && fail "still running 30s after SIGINT"
wait "$pgid" || status=$?
[ "$status" -eq 0 ] || fail "exited with $status after SIGINT, want 0"
grep -q 'ended on its own' "$work/out" && fail "it took the Ctrl-C for a process ending on its own"
if left="$(pgrep -g "$pgid")"; then fail "processes left running after it exited: $left"; fi
grep -q '^  grpc_client_handled_total' "$work/demo/up-client.out" || fail "the client's counts, printed as it stops, are not in up-client.out"
pgid=""
for url in "${urls[@]}"; do
	curl -s -o /dev/null --max-time 2 "$url" && fail "$url still answers after the exit"
done
echo "up-check: Ctrl-C stopped every process; exit 0"

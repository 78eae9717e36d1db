#!/usr/bin/env bash
# The long soak: internal/reliability's TestSoak with SOAK_CALLS mixed calls (default 100,000)
# through the whole stack on both sides, first without the race detector, then with it.
# `make test` runs the same test with 10,000 calls, under -race.
#
#   scripts/soak.sh                      # 100,000 calls, without and with -race
#   SOAK_CALLS=1000000 scripts/soak.sh   # more
#   SOAK_RACE=0 scripts/soak.sh          # without -race only
#
# Each run prints the test's own summary line: calls by outcome, duration, goroutines and
# live heap before and after.
set -euo pipefail

cd "$(dirname "$0")/.."

SOAK_CALLS="${SOAK_CALLS:-100000}"
SOAK_RACE="${SOAK_RACE:-1}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

modes=("")
if [[ "$SOAK_RACE" != "0" ]]; then
	modes+=("-race")
fi

for mode in "${modes[@]}"; do
	echo ">> TestSoak -soak.calls=$SOAK_CALLS ${mode:-(no -race)}"
	start=$SECONDS
	# shellcheck disable=SC2086 # $mode is empty or one flag
	go test $mode -count=1 -timeout 60m -run '^TestSoak$' -v ./internal/reliability/ -soak.calls="$SOAK_CALLS"
	echo ">> wall time, build included: $((SECONDS - start))s"
done

#!/usr/bin/env bash
# Runs every fuzz target of the main module (every `func FuzzXxx(f *testing.F)` in a _test.go
# file of a package of ./...), one after the other, each for FUZZTIME, with one fuzzing worker,
# and prints how many executions each one ran.
#
#   scripts/fuzz.sh                          # every target, 60s each
#   FUZZTIME=10m scripts/fuzz.sh             # any -fuzztime value: a duration...
#   FUZZTIME=1000000x scripts/fuzz.sh        # ...or a number of executions
#   FUZZ_TARGETS='FuzzExtract FuzzServiceName' scripts/fuzz.sh   # only these
#
# Environment (defaults in brackets): FUZZTIME [60s], FUZZPARALLEL, the number of fuzzing
# workers [1: the rest of the machine stays free, for benchmarks that run meanwhile],
# FUZZ_TARGETS [every target found], FUZZMINIMIZETIME, how long the fuzzer may spend minimizing
# each new interesting input [go test's default, 60s; its executions count too].
#
# The seed corpora are checked in (testdata/fuzz/<Target>/ next to each target) and `make test`
# replays them. What the fuzzer learns on the way goes to the Go build cache, never into the
# repository; a crasher is written to testdata/fuzz/<Target>/<hash> in the target's package:
# that file is the repro (`go test -run '<Target>/<hash>' ./<package>`), keep it. The script
# goes on with the other targets after a failure, and exits non-zero if any failed.
set -euo pipefail

cd "$(dirname "$0")/.."

FUZZTIME="${FUZZTIME:-60s}"
FUZZPARALLEL="${FUZZPARALLEL:-1}"
FUZZ_TARGETS="${FUZZ_TARGETS:-}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

# Every "<package dir> <target>" pair of the main module.
targets() {
	local dir
	go list -f '{{.Dir}}' ./... | while read -r dir; do
		{ grep -hoE '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' "$dir"/*_test.go 2>/dev/null || true; } |
			sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/' |
			while read -r target; do
				echo "${dir#"$PWD"/} $target"
			done
	done
}

wanted() {
	[[ -z "$FUZZ_TARGETS" ]] && return 0
	local t
	for t in $FUZZ_TARGETS; do
		[[ "$t" == "$1" ]] && return 0
	done
	return 1
}

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

summary=()
failed=()
while read -r pkg target; do
	wanted "$target" || continue
	echo ">> $target in ./$pkg: -fuzztime=$FUZZTIME -parallel=$FUZZPARALLEL"
	start=$SECONDS
	status=0
	# -timeout 0: go test's default 10m timeout would also end a fuzz run (FUZZTIME=10m, or a
	# number of executions that takes longer) with a panic; FUZZTIME is the bound.
	go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -parallel "$FUZZPARALLEL" -timeout 0 \
		${FUZZMINIMIZETIME:+-fuzzminimizetime "$FUZZMINIMIZETIME"} "./$pkg" 2>&1 |
		tee "$log" || status=$?
	elapsed=$((SECONDS - start))
	# The last progress line has the total: "fuzz: elapsed: 60s, execs: 1234567 (20576/sec), ..."
	execs="$(grep -oE 'execs: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)"
	line="$(printf '%-22s %-40s execs=%-12s wall=%ss' "$target" "./$pkg" "${execs:-?}" "$elapsed")"
	if ((status != 0)); then
		crasher="$(grep -oE 'testdata/fuzz/[^ ]+' "$log" | tail -n 1 || true)"
		line="$line FAILED${crasher:+ (repro: ./$pkg/$crasher)}"
		failed+=("$target")
	fi
	summary+=("$line")
done < <(targets)

echo
echo ">> fuzz summary (FUZZTIME=$FUZZTIME, -parallel=$FUZZPARALLEL)"
if ((${#summary[@]} == 0)); then
	echo "no fuzz target matched FUZZ_TARGETS='$FUZZ_TARGETS'"
	exit 1
fi
printf '%s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
	echo "failed: ${failed[*]}"
	exit 1
fi

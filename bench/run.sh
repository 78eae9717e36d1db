#!/usr/bin/env bash
# Benchmarks every configuration of the bench module (bare, each grpcobs signal, the grpcobs
# stack, production sampling, each anchor signal, the anchor stack) over bufconn and loopback
# TCP, in interleaved rounds: each round runs every configuration once, so that drift of a
# shared machine hits them all alike. Then benchstat summarises the rounds, cmd/table writes
# the ratios to bare and the targets into docs/BENCHMARKS.md, and cmd/plot draws
# docs/overhead.png.
#
# Knobs (environment):
#   ROUNDS=20          rounds; each is one run of every benchmark
#   BENCHTIME=150ms    -benchtime of each benchmark in a round
#   BENCH=regexp       which benchmarks (default: the four of bench_test.go)
#   UPDATE_DOCS=1      0 leaves docs/BENCHMARKS.md and docs/overhead.png alone
#   OUT=out            where results.txt, benchstat.txt and the test binary go (in bench/)
set -euo pipefail

cd "$(dirname "$0")"
ROUNDS="${ROUNDS:-20}"
BENCHTIME="${BENCHTIME:-150ms}"
BENCH="${BENCH:-^Benchmark(Unary|UnaryParallel|ServerStream|Bidi)\$}"
UPDATE_DOCS="${UPDATE_DOCS:-1}"
OUT="${OUT:-out}"
DOCS=../docs/BENCHMARKS.md

mkdir -p "$OUT"
results="$OUT/results.txt"
echo ">> building the benchmark binary"
go test -c -o "$OUT/bench.test" .

: >"$results"
for round in $(seq 1 "$ROUNDS"); do
	echo ">> round $round/$ROUNDS (-benchtime=$BENCHTIME)"
	# Each round runs the configurations in an order of its own (bench_test.go, -bench.order);
	# the first in Configs() order, so that the results list them in that order.
	"$OUT/bench.test" -test.run '^$' -test.bench "$BENCH" -test.benchtime "$BENCHTIME" \
		-test.benchmem -test.count 1 -bench.order "$((round - 1))" >>"$results"
done

echo ">> benchstat ($OUT/benchstat.txt)"
go tool benchstat -col /config "$results" >"$OUT/benchstat.txt"
go tool benchstat -col /config -filter '/transport:bufconn' "$results" | sed -n '/sec\/op/,/^$/p'

echo ">> ratios to bare and targets"
go run ./cmd/table "$results" | tee "$OUT/table.md"

if [[ "$UPDATE_DOCS" == 1 ]]; then
	echo ">> updating $DOCS and docs/overhead.png"
	go run ./cmd/table "$results" | go run ./cmd/splice -section bench-table "$DOCS"
	./environment.sh "ROUNDS=$ROUNDS BENCHTIME=$BENCHTIME make bench" | go run ./cmd/splice -section bench-env "$DOCS"
	go run ./cmd/plot -o ../docs/overhead.png "$results"
fi

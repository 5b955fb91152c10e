#!/usr/bin/env bash
# Record-linkage benchmarks (issue 5): Haven against Splink (DuckDB) on
# FEBRL3 (dedupe 5,000), FEBRL4 (link 5,000 + 5,000) and generated data
# (100,000 and 1,000,000 records, 20% duplicates). Not part of the test run.
#
# usage: bench/linkage/run.sh
#   SIZES="100000 1000000"     generated sizes for Haven
#   SPLINK_SIZES="100000 1000000"   generated sizes for Splink (slow at 1M)
#   HAVEN_BIN=path/to/haven    use this binary instead of building one
#
# Needs python3 (a venv is made in bench/.venv with recordlinkage and
# splink from PyPI) and GNU time (/usr/bin/time) for peak memory.
# Results: bench/out/linkage/results.jsonl and a Markdown table on stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/linkage
OUT=$ROOT/bench/out/linkage
VENV=$ROOT/bench/.venv
SIZES=${SIZES:-"100000 1000000"}
SPLINK_SIZES=${SPLINK_SIZES:-$SIZES}
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import recordlinkage, splink" 2>/dev/null; then
    "$VENV/bin/pip" install --quiet recordlinkage splink
fi
PY=$VENV/bin/python

if [ -z "${HAVEN_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --release -p haven-cli)
    HAVEN_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/haven
fi
echo "haven: $HAVEN_BIN" >&2

"$PY" "$HERE/prepare_febrl.py" "$OUT" >&2
RESULTS=$OUT/results.jsonl
: > "$RESULTS"

# timed NAME CMD...: run with GNU time, keep its report in NAME.time
timed() {
    local name=$1
    shift
    /usr/bin/time -v "$@" > "$OUT/$name.stdout" 2> "$OUT/$name.time"
}

# record TOOL DATA CLUSTERS TRUTH TIMEFILE [EXTRA_JSON]
record() {
    "$PY" "$HERE/record.py" "$@" >> "$RESULTS"
}

# Haven
timed haven_febrl3 "$HAVEN_BIN" link dedupe "$OUT/febrl3.csv" --id rec_id --config "$HERE/febrl.toml" \
    --out "$OUT/haven_febrl3.csv"
record haven febrl3 "$OUT/haven_febrl3.csv" "$OUT/febrl3_truth.csv" "$OUT/haven_febrl3.time"
timed haven_febrl4 "$HAVEN_BIN" link pair "$OUT/febrl4a.csv" "$OUT/febrl4b.csv" --id rec_id \
    --config "$HERE/febrl.toml" --out "$OUT/haven_febrl4.csv"
record haven febrl4 "$OUT/haven_febrl4.csv" "$OUT/febrl4_truth.csv" "$OUT/haven_febrl4.time"
for n in $SIZES; do
    if [ ! -s "$OUT/gen_$n.csv" ]; then
        "$HAVEN_BIN" link generate --n "$n" --dup-share 0.2 --seed 1 --out "$OUT/gen_$n.csv"
    fi
    timed "haven_gen_$n" "$HAVEN_BIN" link dedupe "$OUT/gen_$n.csv" --id id --out "$OUT/haven_gen_$n.csv"
    record haven "gen_$n" "$OUT/haven_gen_$n.csv" "$OUT/gen_$n.csv" "$OUT/haven_gen_$n.time"
done

# Splink (reference): clusters at several thresholds from one run.
timed splink_febrl3 "$PY" "$HERE/splink_run.py" febrl3 "$OUT"
timed splink_febrl4 "$PY" "$HERE/splink_run.py" febrl4 "$OUT"
for data in febrl3 febrl4; do
    for t in 0.5 0.9 0.95 0.99; do
        record splink "$data" "$OUT/splink_${data}_t$t.csv" "$OUT/${data}_truth.csv" "$OUT/splink_$data.time" \
            "{\"threshold\": $t, \"splink\": $(cat "$OUT/splink_$data.stdout")}"
    done
done
for n in $SPLINK_SIZES; do
    if [ ! -s "$OUT/gen_$n.csv" ]; then
        "$HAVEN_BIN" link generate --n "$n" --dup-share 0.2 --seed 1 --out "$OUT/gen_$n.csv"
    fi
    timed "splink_gen_$n" "$PY" "$HERE/splink_run.py" generated "$OUT/gen_$n.csv" "$OUT"
    for t in 0.5 0.9 0.95 0.99; do
        record splink "gen_$n" "$OUT/splink_gen_${n}_t$t.csv" "$OUT/gen_$n.csv" "$OUT/splink_gen_$n.time" \
            "{\"threshold\": $t, \"splink\": $(cat "$OUT/splink_gen_$n.stdout")}"
    done
done

"$PY" "$HERE/record.py" --table "$RESULTS"

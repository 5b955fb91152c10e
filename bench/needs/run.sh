#!/usr/bin/env bash
# Benchmark: prevalence for every English local authority at single year of age.
#
#   bash bench/needs/run.sh            # from the repository root; shared/ must sit beside it
#
# 1. The library benchmark (parse + model, 309 lower-tier local authorities, 20 runs):
#      cargo bench -p haven-needs --bench prevalence
# 2. The command end to end (process start, reading the ONS wide file, all 349 English areas
#    including counties, regions and England, JSON written to /dev/null), 5 runs:
#      haven needs prevalence --population ONS_WIDE.csv --rates bench/needs/rates_5yr_bands.csv --format json
# Not part of `cargo test`. Prints the figures to record in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
POP="${HAVEN_BENCH_POP:-../shared/data/ons_mye2_england_2020_sya_wide.csv}"
POP="$(realpath -m "$POP")"   # cargo bench runs in the crate's directory
RATES=bench/needs/rates_5yr_bands.csv
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

echo "== machine"
echo "cores: $(nproc 2>/dev/null || echo ?); $(rustc --version)"

echo "== library: cargo bench -p haven-needs --bench prevalence"
cargo bench -q -p haven-needs --bench prevalence -- "$POP"

echo "== command: haven needs prevalence (release build)"
cargo build -q --release -p haven-cli
HAVEN="$CARGO_TARGET_DIR/release/haven"
if [ ! -f "$POP" ]; then
  echo "$POP not found: the library benchmark above used synthetic populations; skipping the command"
  exit 0
fi
"$HAVEN" needs prevalence --population "$POP" --rates "$RATES" --format json > /tmp/haven-needs-bench.json
python3 - <<'PY' 2>/dev/null || true
import json; d = json.load(open('/tmp/haven-needs-bench.json'))
print(f"areas: {len(d['areas'])}; groups: {len(d['groups'])}; women {d['totals']['female']:.1f}, men {d['totals']['male']:.1f}")
PY
best=""
for i in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$HAVEN" needs prevalence --population "$POP" --rates "$RATES" --format json > /dev/null
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  echo "run $i: ${ms} ms"
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "best of 5: ${best} ms (target < 1000 ms)"

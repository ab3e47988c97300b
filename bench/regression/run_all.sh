#!/usr/bin/env bash
# Runs every shipped scenario (scenarios/, bench/scenarios/) centrally and with 20 kept draws
# and writes the results files into OUTDIR, so that two builds can be compared with
# compare.py: the proof that a restructuring changed no result.
# Usage: bench/regression/run_all.sh BUILD_DIR OUTDIR
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:?build directory}
OUT=${2:?output directory}
HC="$BUILD/bin/healthcast"
mkdir -p "$OUT"
mapfile -t SCENARIOS < <(find "$ROOT/scenarios" "$ROOT/bench/scenarios" -name '*.yaml' \
  -not -path '*/schema/*' | sort)
for s in "${SCENARIOS[@]}"; do
  name=$(basename "$s" .yaml)
  "$HC" run "$s" -q -o "$OUT/$name.central.h5"
  "$HC" run "$s" -q --draws 20 --seed 7 --keep-draws --threads 2 -o "$OUT/$name.draws20.h5"
  echo "$name" >&2
done

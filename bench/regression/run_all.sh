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
# What the commands print: info, targets (en, zh) and each scenario compared with the
# reference (written files and printed tables; errors and exit codes are behaviour too).
reference="$OUT/china_reference.central.h5"
for s in "${SCENARIOS[@]}"; do
  name=$(basename "$s" .yaml)
  f="$OUT/$name.central.h5"
  { "$HC" info "$f"; echo "exit $?"; } >"$OUT/$name.info.txt" 2>&1 || true
  for lang in en zh; do
    { "$HC" targets "$f" --lang "$lang"; echo "exit $?"; } >"$OUT/$name.targets-$lang.txt" 2>&1 || true
  done
  { "$HC" compare "$reference" "$f" -o "$OUT/$name.compare.h5"; echo "exit $?"; } \
    >"$OUT/$name.compare.txt" 2>&1 || true
done

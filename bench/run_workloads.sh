#!/usr/bin/env bash
# Whole-run workloads of the engine (issue 6), timed side by side with the NumPy/SciPy and
# R/deSolve comparators in one go, as ratios:
#   1. one scenario (china_reference, 2020-2050), no draws
#   2. the same with 1,000 draws
#   3. 6 scenarios (the plans under scenarios/plans/) x 1,000 draws
#   4. 31 regions x 100 draws (bench/scenarios/china_31_regions.yaml)
# plus the scaling with draws (10, 100, 1,000) and threads (1, 2).
# Usage: bench/run_workloads.sh [build-dir]     (env: DRAWS=1000, QUICK=1 for a short check)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build-bench}
DRAWS=${DRAWS:-1000}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

command -v /usr/bin/time >/dev/null || {
  echo "installing GNU time (apt-get)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends time >/dev/null
}
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHEALTHCAST_BUILD_BENCH=ON \
      -DHEALTHCAST_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target healthcast >/dev/null
HC="$BUILD/bin/healthcast"
REFERENCE="$ROOT/scenarios/china_reference.yaml"
PLANS=("$ROOT"/scenarios/plans/*.yaml)
REGIONS="$ROOT/bench/scenarios/china_31_regions.yaml"

# Prints "<seconds> <peak MiB>" of one command.
measure() {
  local log="$OUT/time.log"
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null
  awk '{printf "%s %.0f\n", $1, $2 / 1024}' "$log"
}

row() {  # name, command...
  local name=$1
  shift
  read -r seconds mib < <(measure "$@")
  printf '%-44s %9s s %7s MiB\n' "$name" "$seconds" "$mib"
  echo "$name|$seconds|$mib" >>"$OUT/rows"
}

echo "healthcast workloads ($(nproc) cores), $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$ROOT" rev-parse --short HEAD)"
printf '%-44s %11s %11s\n' workload wall peak
row "reference 2020-2050, no draws" "$HC" run "$REFERENCE" -o "$OUT/a.h5" -q --threads 2
row "reference, $DRAWS draws, 2 threads" "$HC" run "$REFERENCE" -o "$OUT/b.h5" -q \
  --draws "$DRAWS" --threads 2
row "6 plans x $DRAWS draws, 2 threads" bash -c "cd '$OUT' && '$HC' run ${PLANS[*]} -q \
  --draws $DRAWS --threads 2"
row "31 regions x $((DRAWS / 10)) draws, 2 threads" "$HC" run "$REGIONS" -o "$OUT/d.h5" -q \
  --draws $((DRAWS / 10)) --threads 2
echo
echo "Scaling (reference 2020-2050):"
for n in 10 100 "$DRAWS"; do
  for t in 1 2; do
    row "  $n draws, $t thread(s)" "$HC" run "$REFERENCE" -o "$OUT/s.h5" -q --draws "$n" \
      --threads "$t"
  done
done
cp "$OUT/rows" "${ROWS_FILE:-/dev/null}" 2>/dev/null || true

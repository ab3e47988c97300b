#!/usr/bin/env bash
# The engine's whole-run workloads (issue 6) side by side with the NumPy/SciPy and R/deSolve
# comparators, in one go, as ratios:
#   1. one scenario (china_reference, 2020-2050), no draws
#   2. the same with 1,000 draws
#   3. 6 scenarios (the plans under scenarios/plans/) x 1,000 draws
#   4. 31 regions x 100 draws (bench/scenarios/china_31_regions.yaml)
# then the scaling with draws (10, 100, 1,000) and threads (1, 2).
#
# First bench/comparators/run_comparison.sh checks that the comparators agree with the engine
# and times one run of each. The comparators project without sampling inputs (each draw of the
# engine is one such projection plus sampling, indicators and summaries), so a workload of P
# projected region-years costs them P times their cost per projected region-year: measured for
# workload 2 by COMPARATOR_RUNS projections in one process (default 1001, the central run and
# 1,000 draws; about 10 and 20 minutes) of a draw's problem at the engine's draw tolerances, and
# scaled from that measurement for workloads 3 and 4.
# Usage: bench/run_workloads.sh [build-dir]    (env: DRAWS=1000, COMPARATOR_RUNS=1001;
#   COMPARATOR_ROWS=FILE: reuse the comparator rows of an earlier run's rows.txt instead of
#   running the comparators again, e.g. after an engine change)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build-bench}
DRAWS=${DRAWS:-1000}
COMPARATOR_RUNS=${COMPARATOR_RUNS:-$((DRAWS + 1))}
OUT="$BUILD/workloads"
mkdir -p "$OUT"
ROWS="$OUT/rows.txt"
: >"$ROWS"

if [ -z "${COMPARATOR_ROWS:-}" ]; then
  REPS=3 "$ROOT/bench/comparators/run_comparison.sh" "$BUILD"
else
  cmake --build "$BUILD" --target healthcast >/dev/null
fi

HC="$BUILD/bin/healthcast"
REFERENCE="$ROOT/scenarios/china_reference.yaml"
PLANS=("$ROOT"/scenarios/plans/*.yaml)
REGIONS="$ROOT/bench/scenarios/china_31_regions.yaml"

# Appends "name|seconds|peak MiB|region-years" for one command to $ROWS and prints it.
row() {  # row NAME REGION_YEARS COMMAND...
  local name=$1 region_years=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$OUT/time.log" "$@" >/dev/null 2>"$OUT/err.log" ||
    { cat "$OUT/err.log" >&2; exit 1; }
  read -r seconds kib <"$OUT/time.log"
  printf '%-46s %8.2f s %7.0f MiB\n' "$name" "$seconds" "$((kib / 1024))"
  echo "$name|$seconds|$((kib / 1024))|$region_years" >>"$ROWS"
}

# Projected region-years of a scenario: regions x years (central run and each draw).
years_of() { "$HC" validate "$1" | sed -n 's/.*, \([0-9]*\)-\([0-9]*\), regions: \(.*\))$/\1 \2 \3/p' |
  awk '{ n = split($0, a, ", "); print ($2 - $1 + 1) * n }'; }
REF_RY=$(years_of "$REFERENCE")
REG_RY=$(years_of "$REGIONS")
PLAN_RY=0
for p in "${PLANS[@]}"; do PLAN_RY=$((PLAN_RY + $(years_of "$p"))); done

echo
echo "Engine workloads ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
row "1 reference 2020-2050, no draws" "$REF_RY" "$HC" run "$REFERENCE" -o "$OUT/a.h5" -q
row "2 reference, $DRAWS draws" "$((REF_RY * (DRAWS + 1)))" \
  "$HC" run "$REFERENCE" -o "$OUT/b.h5" -q --draws "$DRAWS" --threads 2
row "3 six plans x $DRAWS draws" "$((PLAN_RY * (DRAWS + 1)))" \
  bash -c "cd '$OUT' && '$HC' run ${PLANS[*]} -q --draws $DRAWS --threads 2"
row "4 31 regions x $((DRAWS / 10)) draws" "$((REG_RY * (DRAWS / 10 + 1)))" \
  "$HC" run "$REGIONS" -o "$OUT/d.h5" -q --draws $((DRAWS / 10)) --threads 2
for n in 10 100 "$DRAWS"; do
  for t in 1 2; do
    row "scaling: $n draws, $t thread(s)" "$((REF_RY * (n + 1)))" \
      "$HC" run "$REFERENCE" -o "$OUT/s.h5" -q --draws "$n" --threads "$t"
  done
done

if [ -n "${COMPARATOR_ROWS:-}" ]; then
  grep -E '^(numpy|R):' "$COMPARATOR_ROWS" >>"$ROWS"
  /usr/bin/python3 "$ROOT/bench/workload_table.py" "$ROWS"
  exit 0
fi
echo
echo "Comparators, $COMPARATOR_RUNS projections 2020-2050 in one process each, on the problem of"
echo "draw 0 (the engine's draw inputs and integration tolerances)"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
PROBLEM="$BUILD/comparators/draw_problem"
"$BUILD/bin/healthcast_export_problem" "$REFERENCE" --draw 0 -o "$PROBLEM" >/dev/null
row "numpy: $COMPARATOR_RUNS runs" "$((REF_RY * COMPARATOR_RUNS))" \
  /usr/bin/python3 "$ROOT/bench/comparators/numpy_model.py" "$PROBLEM" -o "$OUT/numpy.csv" \
  --runs "$COMPARATOR_RUNS"
row "R: $COMPARATOR_RUNS runs" "$((REF_RY * COMPARATOR_RUNS))" \
  Rscript "$ROOT/bench/comparators/desolve_model.R" "$PROBLEM" -o "$OUT/desolve.csv" \
  --runs "$COMPARATOR_RUNS"

/usr/bin/python3 "$ROOT/bench/workload_table.py" "$ROWS"

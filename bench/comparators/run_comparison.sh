#!/usr/bin/env bash
# The engine against two comparators of the same model on the same inputs (NumPy/SciPy solve_ivp
# and R deSolve): builds, exports the projection problem of scenarios/china_reference.yaml, checks
# that e0 and deaths by cause agree to 1e-4 relative, then times all three side by side.
# Usage: bench/comparators/run_comparison.sh [build-dir]   (default: build-bench beside the root)
# Environment: REPS (timed repetitions of each program, default 5), RUNS (projections inside one
# comparator process, for the per-run time without start-up and reading, default 3).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/comparators"
BUILD=${1:-$ROOT/build-bench}
REPS=${REPS:-5}
RUNS=${RUNS:-3}
SCENARIO="$ROOT/scenarios/china_reference.yaml"
PY=/usr/bin/python3

say() { printf '[comparators] %s\n' "$*" >&2; }

packages=(time python3-numpy python3-scipy python3-pandas python3-h5py r-base-core r-cran-desolve)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing missing Debian packages: ${missing[*]}"
  sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

say "building healthcast and healthcast_export_problem (Release) in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHEALTHCAST_BUILD_BENCH=ON \
      -DHEALTHCAST_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target healthcast_export_problem healthcast >/dev/null

WORK="$BUILD/comparators"
mkdir -p "$WORK"
PROBLEM="$WORK/problem"
"$BUILD/bin/healthcast_export_problem" "$SCENARIO" -o "$PROBLEM"

say "agreement (one run of each)"
"$PY" "$HERE/numpy_model.py" "$PROBLEM" -o "$WORK/numpy.csv"
Rscript "$HERE/desolve_model.R" "$PROBLEM" -o "$WORK/desolve.csv"
"$PY" "$HERE/check_agreement.py" --healthcast "$BUILD/bin/healthcast" --scenario "$SCENARIO" \
  numpy="$WORK/numpy.csv" R="$WORK/desolve.csv"

# Single-threaded everywhere, as the engine projects one region on one thread.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# Every timed process appends "label wall_s peak_kib cpu_s" to $TIMES; the programs' own timers
# ("timing NAME read_s=... projection_s=... cpu_s=... [ode_s=...]") go to $INNER under the label.
TIMES="$WORK/times.txt" INNER="$WORK/inner.txt"
: >"$TIMES"; : >"$INNER"
timed() {  # timed LABEL COMMAND...
  local label=$1; shift
  /usr/bin/time -o "$WORK/time.out" -f "%e %M %U %S" "$@" >"$WORK/out.txt" 2>&1 ||
    { cat "$WORK/out.txt" >&2; say "failed: $*"; exit 1; }
  awk -v l="$label" '{ print l, $1, $2, $3 + $4 }' "$WORK/time.out" >>"$TIMES"
  sed -n "s/^timing [a-z]* /$label /p" "$WORK/out.txt" >>"$INNER"
}
say "timing, $REPS repetitions, interleaved (engine run, engine projection, NumPy, R)"
for rep in $(seq "$REPS"); do
  timed engine "$BUILD/bin/healthcast" run "$SCENARIO" -o "$WORK/engine.h5" -q
  timed engine_projection "$BUILD/bin/healthcast_export_problem" "$SCENARIO" --time-projection 1
  timed numpy "$PY" "$HERE/numpy_model.py" "$PROBLEM" -o "$WORK/numpy.csv"
  timed R Rscript "$HERE/desolve_model.R" "$PROBLEM" -o "$WORK/desolve.csv"
done
say "per-run time inside one process ($RUNS projections each, as draws would run)"
timed engine_projection_repeat "$BUILD/bin/healthcast_export_problem" "$SCENARIO" \
  --time-projection "$RUNS"
timed numpy_repeat "$PY" "$HERE/numpy_model.py" "$PROBLEM" -o "$WORK/numpy.csv" --runs "$RUNS"
timed R_repeat Rscript "$HERE/desolve_model.R" "$PROBLEM" -o "$WORK/desolve.csv" --runs "$RUNS"
echo "(load average now: $(cut -d' ' -f1-3 /proc/loadavg) on $(getconf _NPROCESSORS_ONLN) cores)"
"$PY" "$HERE/timing_table.py" "$TIMES" "$INNER" "$RUNS"

#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs them, then times whole runs of the default scenario.
# Usage: bench/run_benchmarks.sh [build-dir]   (default: build-bench beside the repository root)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build-bench}
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHEALTHCAST_BUILD_BENCH=ON \
      -DHEALTHCAST_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target healthcast_bench healthcast >/dev/null
"$BUILD/bin/healthcast_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
echo
echo "Whole run of scenarios/china_reference.yaml (2020-2050), 5 repetitions:"
for i in 1 2 3 4 5; do
  /usr/bin/time -f "%e s wall, %M KiB peak" "$BUILD/bin/healthcast" run \
    "$ROOT/scenarios/china_reference.yaml" -o "$BUILD/bench-reference.h5" -q
done

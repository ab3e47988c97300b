#!/usr/bin/python3
"""The workload table of bench/run_workloads.sh from its rows ("name|seconds|peak MiB|projected
region-years"): the engine's wall time and peak memory per workload, the comparators' time for
the same projected region-years (their measured seconds per region-year times the workload's),
and the ratios. Usage: workload_table.py ROWS"""

import sys


def main():
    rows = []
    for line in open(sys.argv[1]):
        name, seconds, mib, region_years = line.strip().split("|")
        rows.append((name, float(seconds), float(mib), int(region_years)))
    per_region_year = {}
    for name, seconds, _, region_years in rows:
        for comparator in ("numpy", "R"):
            if name.startswith(comparator + ":"):
                per_region_year[comparator] = seconds / region_years
    print("\nWorkloads: engine wall time and peak memory; comparators' time for the same"
          " projected region-years (seconds per region-year measured on the long run above);"
          " ratios comparator / engine")
    print(f"{'workload':44s} {'engine s':>9s} {'MiB':>6s} {'NumPy s':>9s} {'R s':>9s}"
          f" {'x NumPy':>8s} {'x R':>7s}")
    for name, seconds, mib, region_years in rows:
        if name.startswith(("numpy:", "R:")):
            continue
        numpy = per_region_year.get("numpy", float("nan")) * region_years
        r = per_region_year.get("R", float("nan")) * region_years
        print(f"{name:44s} {seconds:9.2f} {mib:6.0f} {numpy:9.1f} {r:9.1f}"
              f" {numpy / seconds:8.0f} {r / seconds:7.0f}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Prints run_comparison.sh's timing table from its two files: TIMES ("label wall_s peak_kib
cpu_s" per process, from /usr/bin/time) and INNER ("label key=value ..." per projection, from
the programs' own timers). Usage: timing_table.py TIMES INNER RUNS"""

import statistics as st
import sys

NAN = float("nan")


def read(times_path, inner_path):
    times, inner = {}, {}
    for line in open(times_path):
        label, wall, kib, cpu = line.split()
        times.setdefault(label, []).append((float(wall), float(kib), float(cpu)))
    for line in open(inner_path):
        label, *fields = line.split()
        inner.setdefault(label, []).append({k: float(v) for k, v in (f.split("=") for f in fields)})
    return times, inner


def main():
    times, inner = read(sys.argv[1], sys.argv[2])
    runs = sys.argv[3]

    def med(label, key):
        vals = [d[key] for d in inner.get(label, []) if key in d]
        return st.median(vals) if vals else NAN

    def num(x, width, fmt=".3f"):
        return f"{x:{width}{fmt}}" if x == x else f"{'-':>{width}s}"

    e_wall = st.median(t[0] for t in times["engine"])
    e_cpu = st.median(t[2] for t in times["engine"])
    print("\nWhole processes: median wall and CPU (user + system) seconds of the repetitions,"
          " largest peak resident memory; ratios to `healthcast run`")
    print(f"{'program':38s} {'wall s':>7s} {'CPU s':>7s} {'peak MiB':>8s} {'x wall':>7s}"
          f" {'x CPU':>7s}")
    names = {"engine": "engine: healthcast run (whole, .h5)",
             "engine_projection": "engine: set-up + projection, no file",
             "numpy": "NumPy/SciPy: read CSV + project",
             "R": "R/deSolve: read CSV + project"}
    for label, name in names.items():
        wall = st.median(t[0] for t in times[label])
        cpu = st.median(t[2] for t in times[label])
        mib = max(t[1] for t in times[label]) / 1024
        print(f"{name:38s} {wall:7.3f} {cpu:7.3f} {mib:8.1f} {wall / e_wall:7.1f}"
              f" {cpu / e_cpu:7.1f}")

    p_wall, p_cpu = med("engine_projection", "projection_s"), med("engine_projection", "cpu_s")
    print("\nThe projection 2020-2050 alone, by each program's own timers (medians): wall and CPU"
          " seconds, the ODE solver's part of the wall time, the reading (engine: set-up) before"
          " it; ratios to the engine's projection; last column: median wall seconds per run of"
          f" {runs} runs in one process")
    print(f"{'program':12s} {'wall s':>7s} {'CPU s':>7s} {'ODE s':>7s} {'ODE %':>6s}"
          f" {'read s':>7s} {'x wall':>7s} {'x CPU':>7s} {'per run':>8s}")
    for label, name in (("engine_projection", "engine"), ("numpy", "NumPy/SciPy"),
                        ("R", "R/deSolve")):
        wall, cpu, ode = med(label, "projection_s"), med(label, "cpu_s"), med(label, "ode_s")
        share = f"{ode / wall:6.0%}" if ode == ode else f"{'-':>6s}"
        print(f"{name:12s} {wall:7.3f} {cpu:7.3f} {num(ode, 7)} {share}"
              f" {num(med(label, 'read_s'), 7)} {wall / p_wall:7.1f} {cpu / p_cpu:7.1f}"
              f" {med(label + '_repeat', 'projection_s'):8.3f}")


if __name__ == "__main__":
    main()

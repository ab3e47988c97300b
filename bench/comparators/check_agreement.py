#!/usr/bin/python3
"""Checks that the comparators reproduce the engine: runs `healthcast run` on the scenario and
compares e0 (life_expectancy at age 0) and deaths by cause (summed over age), for every year,
sex (female, male, total) and cause, with each comparator's CSV (numpy_model.py,
desolve_model.R). Also compares deaths, births and population as a check of the demography.
Prints the largest relative differences; exits 1 if any exceeds the tolerance (default 1e-4).

Usage: check_agreement.py --healthcast BUILD/bin/healthcast NAME=RESULTS.csv [NAME=...]
"""

import argparse
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def labels(ds):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in ds[:]]


def engine_table(path):
    """The engine's results in the comparators' tidy layout (one region)."""
    with h5py.File(path, "r") as f:
        years, sexes, causes = f["year"][:], labels(f["sex"]), labels(f["cause"])
        if f["region"].shape[0] != 1:
            sys.exit("check_agreement: the comparators project one region")
        e0 = f["life_expectancy"][:, 0, :, 0]
        by_cause = f["deaths_by_cause"][:, 0].sum(axis=2)  # year x sex x cause
        deaths = f["deaths"][:, 0].sum(axis=2)
        population = f["population"][:, 0].sum(axis=2)
        births = f["births"][:, 0]
    rows = []
    for y, year in enumerate(years):
        for s, sex in enumerate(sexes):
            rows.append((int(year), sex, "life_expectancy", "", e0[y, s]))
            rows.append((int(year), sex, "deaths", "", deaths[y, s]))
            rows.append((int(year), sex, "births", "", births[y, s]))
            rows.append((int(year), sex, "population", "", population[y, s]))
            for c, cause in enumerate(causes):
                rows.append((int(year), sex, "deaths_by_cause", cause, by_cause[y, s, c]))
    return pd.DataFrame(rows, columns=["year", "sex", "quantity", "cause", "value"])


def compare(engine, other, name, rtol):
    keys = ["year", "sex", "quantity", "cause"]
    other = other.assign(cause=other["cause"].fillna("").astype(str))
    both = engine.merge(other, on=keys, how="outer", suffixes=("_engine", "_other"), indicator=True)
    missing = both[both["_merge"] != "both"]
    if len(missing):
        print(f"{name}: {len(missing)} rows in only one of the two tables, e.g.\n{missing.head()}")
        return False
    ref = both["value_engine"].abs().where(both["value_engine"] != 0, 1.0)
    both["rel"] = (both["value_other"] - both["value_engine"]).abs() / ref
    ok = True
    print(f"\n{name}: largest relative difference from the engine (tolerance {rtol:g})")
    for quantity, group in both.groupby("quantity", sort=False):
        worst = group.loc[group["rel"].idxmax()]
        where = f"{worst['year']} {worst['sex']}" + (f" {worst['cause']}" if worst["cause"] else "")
        flag = "ok" if worst["rel"] <= rtol else "FAIL"
        ok &= worst["rel"] <= rtol
        print(f"  {quantity:16s} {worst['rel']:.2e}  ({where}: engine {worst['value_engine']:.10g},"
              f" {name} {worst['value_other']:.10g})  {flag}")
    if "deaths_by_cause" in set(both["quantity"]):
        per_cause = both[both["quantity"] == "deaths_by_cause"].groupby("cause")["rel"].max()
        print("  by cause: " + ", ".join(f"{c} {v:.1e}" for c, v in per_cause.items()))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--healthcast", required=True, help="the healthcast program")
    ap.add_argument("--scenario", default=os.path.join(ROOT, "scenarios", "china_reference.yaml"))
    ap.add_argument("--engine-h5", help="where to write the engine's results (default: temporary)")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("results", nargs="+", help="NAME=CSV of a comparator")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        h5 = args.engine_h5 or os.path.join(tmp, "engine.h5")
        subprocess.run([args.healthcast, "run", args.scenario, "-o", h5, "-q"], check=True)
        engine = engine_table(h5)
    ok = True
    for item in args.results:
        name, _, path = item.partition("=")
        ok &= compare(engine, pd.read_csv(path, keep_default_na=False,
                                          dtype={"cause": str}), name, args.rtol)
    print("\nagreement: " + ("all within tolerance" if ok else "FAILED"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

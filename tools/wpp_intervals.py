#!/usr/bin/python3
"""The 95% intervals of e0 and total population of a run, beside WPP2024's (issue 13).

  wpp_intervals.py RESULTS.h5 [--shared PATH] [--years 2030 2050]

RESULTS.h5 is a results file written with draws and --keep-draws (total population needs the
draws: quantiles of the sexes do not add up). e0 comes from the stored summaries. WPP2024's
annual population refers to 31 December (the extract's .source.txt), so 1 January Y is compared
with WPP's 31 December Y-1. A developer's tool: it reads the shared folder, which the engine and
its tests never do.
"""
import argparse
import csv
import pathlib

import numpy as np
import xarray as xr

ROOT = pathlib.Path(__file__).resolve().parent.parent


def rows(path):
    with open(path, newline="") as f:
        return {int(r["year"]): r for r in csv.DictReader(f)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data" / "china"))
    ap.add_argument("--years", type=int, nargs="+", default=[2030, 2050])
    args = ap.parse_args()
    shared = pathlib.Path(args.shared)
    e0_wpp = rows(shared / "china_wpp2024_e0_proj_annual_2024_2100.csv")
    pop_wpp = rows(shared / "china_wpp2024_pop_total_proj_annual_2024_2100.csv")
    with xr.open_dataset(args.results, engine="h5netcdf") as ds:
        region = ds["region"].values[0]
        le = ds["life_expectancy_summary"].sel(region=region, age=0)
        print("e0 at birth, 95% interval (years)")
        for y in args.years:
            for sex, k in (("female", "F"), ("male", "M"), ("total", "B")):
                s = le.sel(year=y, sex=sex)
                lo, hi = float(s.sel(statistic="lower_95")), float(s.sel(statistic="upper_95"))
                w = e0_wpp[y]
                wl, wh = float(w[f"e0{k}_95l"]), float(w[f"e0{k}_95u"])
                print(f"  {y} {sex:6s} median {float(s.sel(statistic='median')):6.2f} "
                      f"[{lo:6.2f}, {hi:6.2f}] width {hi - lo:5.2f} | WPP2024 median "
                      f"{float(w['e0' + k]):6.2f} [{wl:6.2f}, {wh:6.2f}] width {wh - wl:5.2f}")
        if "population_draws" not in ds:
            print("total population: no kept draws in the file (run with --keep-draws)")
            return
        draws = ds["population_draws"].sel(region=region, sex=["female", "male"])
        total = draws.sum(["sex", "age"]) / 1e6
        central = ds["population"].sel(region=region, sex=["female", "male"]).sum(["sex", "age"])
        print(f"total population, 95% interval (millions; {total.sizes['draw']} draws)")
        for y in args.years:
            lo, hi = np.quantile(total.sel(year=y).values, [0.025, 0.975])
            w = pop_wpp[y - 1]
            wl, wh = float(w["pop_95l"]) / 1e3, float(w["pop_95u"]) / 1e3
            wm = (float(w["popM"]) + float(w["popF"])) / 1e3
            print(f"  1 Jan {y} central {float(central.sel(year=y)) / 1e6:7.1f} [{lo:7.1f}, "
                  f"{hi:7.1f}] width {hi - lo:6.1f} | WPP2024 31 Dec {y - 1} median {wm:7.1f} "
                  f"[{wl:7.1f}, {wh:7.1f}] width {wh - wl:6.1f}")


if __name__ == "__main__":
    main()

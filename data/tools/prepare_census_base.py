#!/usr/bin/python3
"""Build healthcast's base population, data/china/population_2020.csv, from the 2020 census.

Run by hand by a developer, never by the engine. Reads the shared folder (see
<shared>/data/README.md and the *.source.txt sidecars) and this repository's data/china
files, and writes sex,age,population for 1 January 2020, single years 0..100 (100 = 100+).

Steps (each printed with its size; data/SOURCES.md documents them):
 1. The nation row of the 2020 census (census day 1 November 2020): sex by age groups
    0, 1-4, 5-9, ..., 80-84, 85+.
 2. 85+ split into 85-89, 90-94, 95-99, 100+ in proportion to WPP2019's 2020 estimate of the
    same ages (data/china/population_2020_wpp2019.csv), the only old-age detail available.
 3. Under-count at ages 0-9: the expected census count of each group is the WPP2024 births of
    its cohorts (annual births, split by WPP2024's sex ratio at birth, cohorts born between
    1 November and 31 October) survived to the census with the WPP2024 death rates of the
    period they lived in (mortality_history.csv); a group counted short is raised to it.
 4. Graduation to single years by Sprague's fifth-difference multipliers on the 5-year groups
    0-4 ... 95-99 (the group sums are kept exactly); age 0 and ages 1-4 are then rescaled to
    the census groups 0 and 1-4 so that those sums hold too.
 5. Reverse survival over the ten months from 1 January to 1 November 2020: those aged a on
    1 January are 1/6 of census age a and 5/6 of census age a+1 (births spread evenly over
    the year), raised by exp(10/12 m_a) for the deaths in between (WPP2024 2015-2019 rates);
    the open group keeps the part of 100+ that was already 100 on 1 January (1 - (5/6) s, s
    the share of 100+ aged exactly 100, 1 - exp(-m_100) in a stationary open group).

Usage (from the repository root):
    /usr/bin/python3 data/tools/prepare_census_base.py [--shared PATH]
The output is deterministic.
"""

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prepare_china import (OUT_DIR, REPO_ROOT, fix_negatives, fmt, read_csv,  # noqa: E402
                           sprague_matrix, write_csv)

SEXES = ("female", "male")
PREFIX = {"female": "f", "male": "m"}
CENSUS_GROUPS = ["0", "1_4"] + ["%d_%d" % (a, a + 4) for a in range(5, 85, 5)] + ["85plus"]
CENSUS_DAY = 2020 + 10 / 12  # 1 November 2020 as a fraction of the calendar


def census_nation(shared):
    rows = read_csv(shared / "china_subnational" / "census2020_population_by_unit_sex_age.csv")
    nation = [r for r in rows if r["level"] == "nation"]
    assert len(nation) == 1
    r = nation[0]
    out = {sex: np.array([float(r["%s_%s" % (PREFIX[sex], g)]) for g in CENSUS_GROUPS])
           for sex in SEXES}
    total = sum(v.sum() for v in out.values())
    assert abs(total - float(r["population"])) < 0.5, (total, r["population"])
    return out, float(r["population"])


def wpp_rates():
    """WPP2024 abridged death rates by (from_year, sex) and the age edges."""
    rows = read_csv(OUT_DIR / "mortality_history.csv")
    rates = {}
    for r in rows:
        if r["sex"] in SEXES:
            rates.setdefault((int(r["from_year"]), r["sex"]), []).append(
                (int(r["age"]), float(r["mx"])))
    return {k: sorted(v) for k, v in rates.items()}


def single_age_rates(abridged):
    """Rates on single ages 0..100, constant within each abridged group."""
    out = np.zeros(101)
    for i, (age, m) in enumerate(abridged):
        top = abridged[i + 1][0] if i + 1 < len(abridged) else 101
        out[age:top] = m
    return out


def expected_young(shared, rates):
    """Expected census counts of groups 0, 1-4, 5-9 by sex from WPP2024 births survived."""
    births = {int(r["year"]): float(r["births"]) * 1000.0 for r in
              read_csv(shared / "china" / "china_wpp2024_births_deaths_rates_annual_1950_2023.csv")}
    srb = {int(r["year"]): float(r["srb"]) for r in
           read_csv(shared / "china" / "china_wpp2024_srb_annual_1950_2100.csv")}
    expected = {sex: np.zeros(3) for sex in SEXES}
    for sex in SEXES:
        for a in range(10):
            # Born between 1 Nov (2019 - a) and 31 Oct (2020 - a): 2/12 and 10/12 of two years.
            cohort = 0.0
            for year, share in ((2019 - a, 2 / 12), (2020 - a, 10 / 12)):
                male_share = srb[year] / (1.0 + srb[year])
                cohort += share * births[year] * (male_share if sex == "male" else 1 - male_share)
            # Survival to the middle of the age year, a + 0.5, month by month in the period
            # rates of the calendar time lived.
            log_s, steps = 0.0, 120
            for i in range(steps):
                age = (a + 0.5) * (i + 0.5) / steps
                when = CENSUS_DAY - (a + 0.5) + age
                period = min(2015, 5 * int(when // 5))
                m = single_age_rates(rates[(period, sex)])[int(age)]
                log_s -= m * (a + 0.5) / steps
            group = 0 if a == 0 else (1 if a < 5 else 2)
            expected[sex][group] += cohort * math.exp(log_s)
    return expected


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(REPO_ROOT.parent / "shared" / "data"),
                    help="the shared data folder (default: %(default)s)")
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    census, census_total = census_nation(shared)
    rates = wpp_rates()
    wpp2019 = {sex: {} for sex in SEXES}
    for r in read_csv(OUT_DIR / "population_2020_wpp2019.csv"):
        wpp2019[r["sex"]][int(r["age"])] = float(r["population"])

    print("[census] nation row, 1 November 2020: %s persons" % fmt(census_total))
    share65 = sum(census[s][14:].sum() for s in SEXES) / census_total  # groups from 65-69
    print("  65+ share at the census: %.2f%%" % (100 * share65))

    expected = expected_young(shared, rates)
    out_rows, totals, base = [], {}, {}
    for sex in SEXES:
        g = census[sex]
        # 2. Split 85+ by WPP2019's 2020 shape.
        old = np.array([sum(wpp2019[sex][a] for a in range(lo, lo + 5)) for lo in (85, 90, 95)]
                       + [wpp2019[sex][100]])
        split = g[-1] * old / old.sum()
        print("  %s 85+ %s split as 85-89 %s, 90-94 %s, 95-99 %s, 100+ %s"
              % (sex, fmt(g[-1]), *(fmt(round(v)) for v in split)))
        # 3. Under-count at 0, 1-4, 5-9.
        young = g[:3].copy()
        factor = np.maximum(1.0, expected[sex] / young)
        for name, c, e, f in zip(("0", "1-4", "5-9"), young, expected[sex], factor):
            print("  %s %s: census %s, WPP2024 births survived %s, ratio %.4f -> x%.4f"
                  % (sex, name, fmt(round(c)), fmt(round(e)), e / c, f))
        young *= factor
        # 4. Sprague on 0-4 ... 95-99, then the 0 and 1-4 sums restored.
        groups = np.concatenate([[young[0] + young[1], young[2]], g[3:-1], split[:3]])
        assert len(groups) == 20
        single, n_fixed = fix_negatives(sprague_matrix(20) @ groups, groups)
        single[0] = young[0]
        single[1:5] *= young[1] / single[1:5].sum()
        census_single = np.concatenate([single, [split[3]]])
        assert abs(census_single.sum() - (young.sum() + g[3:].sum())) < 1e-3
        print("  %s single years: negative values fixed %d; total after the under-count "
              "adjustment %s (+%s)" % (sex, n_fixed, fmt(round(census_single.sum())),
                                       fmt(round(census_single.sum() - g.sum()))))
        # 5. Back ten months to 1 January 2020.
        m = single_age_rates(rates[(2015, sex)])
        jan = np.zeros(101)
        for a in range(100):
            jan[a] = (census_single[a] / 6 + 5 * census_single[a + 1] / 6) * math.exp(10 / 12 * m[a])
        exact100 = 1.0 - math.exp(-m[100])
        jan[100] = census_single[100] * (1 - 5 / 6 * exact100) * math.exp(10 / 12 * m[100])
        # Those aged 99 on 1 January who were 100 at the census come from the open group.
        jan[99] = (census_single[99] / 6 + 5 / 6 * census_single[100] * exact100) * math.exp(
            10 / 12 * m[99])
        totals[sex] = jan.sum()
        base[sex] = jan
        for a in range(101):
            out_rows.append([sex, a, fmt(jan[a])])
    total = sum(totals.values())
    share65 = sum(base[s][65:].sum() for s in SEXES) / total
    print("[base] 1 January 2020: female %s, male %s, total %s persons; 65+ share %.2f%%"
          % (fmt(round(totals["female"])), fmt(round(totals["male"])), fmt(round(total)),
             100 * share65))
    write_csv(OUT_DIR / "population_2020.csv", ["sex", "age", "population"], out_rows)


if __name__ == "__main__":
    main()

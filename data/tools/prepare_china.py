#!/usr/bin/python3
"""Build healthcast's shipped default China inputs from the public source tables.

This script is run by hand by a developer, never by the engine. It reads the
UN World Population Prospects extracts kept in the shared data folder
(<shared>/data/china, see <shared>/data/README.md and the *.source.txt
sidecars) and writes plain CSV files into data/china/ of this repository:

    population_2020_wpp2019.csv sex,age,population       (persons, ages 0..100+; the former
                                                         base, kept for comparison)
    fertility.csv           year,age,asfr                (births/woman/year, 5-year groups)
    tfr_intervals.csv       year,tfr,lower80,upper80,lower95,upper95 (WPP2024 TFR spread)
    sex_ratio_at_birth.csv  year,srb                     (male births per female birth)
    net_migration.csv       year,sex,age,net_migrants    (persons/year, ages 0..100+)
    mortality_history.csv   from_year,to_year,sex,age,mx (abridged central death rates)

The single-year base population is obtained from WPP2019 5-year groups by
Sprague fifth-difference osculatory interpolation (see data/SOURCES.md).

The output is deterministic: same inputs give byte-identical files.

Usage (from the repository root):
    /usr/bin/python3 data/tools/prepare_china.py [--shared PATH]

--shared defaults to the folder named "shared" beside the repository
checkout (i.e. <repo>/../shared).
"""

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "data" / "china"

FIRST_YEAR = 2020
LAST_YEAR = 2100
SEX_CODES = {"F": "female", "M": "male"}
SEXES = ("female", "male")

# Sprague multipliers (5 single ages x 5 groups per panel). Published
# coefficients; rows are the single ages within the target group, columns the
# 5-year groups the panel draws on.
SPRAGUE_FIRST = np.array([
    [0.3616, -0.2768, 0.1488, -0.0336, 0.0000],
    [0.2640, -0.0960, 0.0400, -0.0080, 0.0000],
    [0.1840, 0.0400, -0.0320, 0.0080, 0.0000],
    [0.1200, 0.1360, -0.0720, 0.0160, 0.0000],
    [0.0704, 0.1968, -0.0848, 0.0176, 0.0000],
])
SPRAGUE_SECOND = np.array([
    [0.0336, 0.2272, -0.0752, 0.0144, 0.0000],
    [0.0080, 0.2320, -0.0480, 0.0080, 0.0000],
    [-0.0080, 0.2160, -0.0080, 0.0000, 0.0000],
    [-0.0160, 0.1840, 0.0400, -0.0080, 0.0000],
    [-0.0176, 0.1408, 0.0912, -0.0144, 0.0000],
])
SPRAGUE_MIDDLE = np.array([
    [-0.0128, 0.0848, 0.1504, -0.0240, 0.0016],
    [-0.0016, 0.0144, 0.2224, -0.0416, 0.0064],
    [0.0064, -0.0336, 0.2544, -0.0336, 0.0064],
    [0.0064, -0.0416, 0.2224, 0.0144, -0.0016],
    [0.0016, -0.0240, 0.1504, 0.0848, -0.0128],
])
# The next-to-last and last panels are the second and first panels reflected
# (rows and columns reversed).
SPRAGUE_NEXT_TO_LAST = SPRAGUE_SECOND[::-1, ::-1]
SPRAGUE_LAST = SPRAGUE_FIRST[::-1, ::-1]


def fmt(x):
    """Format a number with 12 significant digits (deterministic, no exponent
    for the magnitudes used here unless unavoidable)."""
    s = "%.12g" % float(x)
    if s == "-0":
        s = "0"
    return s


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(r)
    print("wrote %s (%d data rows)" % (path.relative_to(REPO_ROOT), len(rows)))


def sprague_matrix(n_groups):
    """Return the (5*n_groups x n_groups) matrix splitting n_groups closed
    5-year groups into single years. Requires n_groups >= 5."""
    if n_groups < 5:
        raise ValueError("Sprague needs at least 5 groups")
    m = np.zeros((5 * n_groups, n_groups))
    for g in range(n_groups):
        rows = slice(5 * g, 5 * g + 5)
        if g == 0:
            m[rows, 0:5] = SPRAGUE_FIRST
        elif g == 1:
            m[rows, 0:5] = SPRAGUE_SECOND
        elif g == n_groups - 2:
            m[rows, n_groups - 5:n_groups] = SPRAGUE_NEXT_TO_LAST
        elif g == n_groups - 1:
            m[rows, n_groups - 5:n_groups] = SPRAGUE_LAST
        else:
            m[rows, g - 2:g + 3] = SPRAGUE_MIDDLE
    # Each group's single years must sum back to that group (and nothing else).
    regroup = m.reshape(n_groups, 5, n_groups).sum(axis=1)
    assert np.allclose(regroup, np.eye(n_groups), atol=1e-12), "bad Sprague table"
    return m


def fix_negatives(single, groups):
    """Set negative single-year values to zero and rescale the remaining
    values of the same 5-year group so the group total is unchanged."""
    out = single.copy()
    n_fixed = 0
    for g, total in enumerate(groups):
        seg = out[5 * g:5 * g + 5]
        if (seg < 0).any():
            n_fixed += int((seg < 0).sum())
            seg = np.where(seg < 0, 0.0, seg)
            seg = seg * (total / seg.sum())
            out[5 * g:5 * g + 5] = seg
    return out, n_fixed


def age_lower(label):
    label = label.strip().strip('"')
    if label.endswith("+"):
        return int(label[:-1])
    return int(label.split("-")[0])


# --------------------------------------------------------------------------
def build_population(src):
    rows = read_csv(src / "china_wpp2019_pop_5yage_sex_1950_2020.csv")
    n_closed = 20  # 0-4 .. 95-99
    smat = sprague_matrix(n_closed)
    out_rows = []
    totals = {}
    print("\n[population_2020] WPP2019 2020 estimate, Sprague graduation")
    for code in ("F", "M"):
        sex = SEX_CODES[code]
        sel = {age_lower(r["age"]): float(r["2020"]) for r in rows if r["sex"] == code}
        assert sorted(sel) == list(range(0, 105, 5)), sorted(sel)
        groups = np.array([sel[a] for a in range(0, 100, 5)]) * 1000.0
        open_group = sel[100] * 1000.0
        single = smat @ groups
        n_neg = int((single < 0).sum())
        single, n_fixed = fix_negatives(single, groups)
        print("  %s: negative single-year values after graduation: %d (fixed %d)"
              % (sex, n_neg, n_fixed))
        # check group totals
        regrouped = single.reshape(n_closed, 5).sum(axis=1)
        rel = np.abs(regrouped - groups) / groups
        print("  %s: max |sum of single years - 5-year group| = %.3g persons "
              "(max relative %.3g) over 20 groups; open group 100+ = %s"
              % (sex, np.abs(regrouped - groups).max(), rel.max(), fmt(open_group)))
        assert rel.max() < 1e-12
        values = list(single) + [open_group]
        for age, v in enumerate(values):
            out_rows.append([sex, age, fmt(v)])
        totals[sex] = float(np.sum(values))
        src_total = (groups.sum() + open_group)
        print("  %s: total %s persons (source total %s)"
              % (sex, fmt(totals[sex]), fmt(src_total)))
    print("  both sexes: %s persons" % fmt(sum(totals.values())))
    write_csv(OUT_DIR / "population_2020_wpp2019.csv", ["sex", "age", "population"], out_rows)
    return totals


def compare_wpp2024_2020(src, wpp2019_total):
    """WPP2024 does not ship a 2020 population in the extracts; estimate its
    mid-2020 total from births / crude birth rate and deaths / crude death
    rate, and by back-cumulating annual population change."""
    misc = {int(r["year"]): r for r in read_csv(
        src / "china_wpp2024_births_deaths_rates_annual_1950_2023.csv")}
    miscp = {int(r["year"]): r for r in read_csv(
        src / "china_wpp2024_births_deaths_rates_proj_2024_2100.csv")}
    popp = {int(r["year"]): r for r in read_csv(
        src / "china_wpp2024_pop_total_proj_annual_2024_2100.csv")}
    r = misc[2020]
    by_cbr = float(r["births"]) / float(r["cbr"]) * 1e6  # persons
    by_cdr = float(r["deaths"]) / float(r["cdr"]) * 1e6
    # population at 31 Dec 2024 (package convention), minus change 2021..2024
    end2024 = (float(popp[2024]["popM"]) + float(popp[2024]["popF"])) * 1000.0
    chg = {y: float(misc[y]["PopChange"]) * 1000.0 for y in (2020, 2021, 2022, 2023)}
    chg[2024] = float(miscp[2024]["PopChange"]) * 1000.0
    end2020 = end2024 - sum(chg[y] for y in (2021, 2022, 2023, 2024))
    start2020 = end2020 - chg[2020]
    mid2020 = 0.5 * (start2020 + end2020)
    print("\n[comparison] WPP2024 China 2020 population (derived, persons):")
    print("  mid-2020 from births/CBR: %.0f; from deaths/CDR: %.0f" % (by_cbr, by_cdr))
    print("  back-cumulated PopChange from 31 Dec 2024: 1 Jan 2020 %.0f, "
          "31 Dec 2020 %.0f, mean %.0f" % (start2020, end2020, mid2020))
    print("  WPP2019 1 Jul 2020: %.0f; WPP2024 (births/CBR) minus WPP2019: %.0f (%.2f%%)"
          % (wpp2019_total, by_cbr - wpp2019_total,
             100.0 * (by_cbr - wpp2019_total) / wpp2019_total))


def build_fertility(src):
    tfr = {}
    for r in read_csv(src / "china_wpp2024_tfr_annual_1950_2023.csv"):
        y = int(r["year"])
        if FIRST_YEAR <= y <= 2023:
            tfr[y] = float(r["tfr"])
    for r in read_csv(src / "china_wpp2024_tfr_proj_annual_2024_2100.csv"):
        y = int(r["year"])
        if 2024 <= y <= LAST_YEAR:
            tfr[y] = float(r["tfr"])
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    assert sorted(tfr) == years
    pasfr_rows = read_csv(src / "china_wpp2024_pasfr_5yage_annual_1950_2100.csv")
    groups = [r["age"] for r in pasfr_rows]
    assert groups == ["%d-%d" % (a, a + 4) for a in range(10, 55, 5)], groups
    out_rows = []
    max_err = 0.0
    max_pct_dev = 0.0
    for y in years:
        pct = [float(r[str(y)]) for r in pasfr_rows]
        max_pct_dev = max(max_pct_dev, abs(sum(pct) - 100.0))
        asfr = [tfr[y] * p / 100.0 / 5.0 for p in pct]
        # check: 5 * sum(asfr) == TFR, using the values as written
        written = [float(fmt(a)) for a in asfr]
        max_err = max(max_err, abs(5.0 * sum(written) - tfr[y]))
        for g, a in zip(groups, asfr):
            out_rows.append([y, g, fmt(a)])
    print("\n[fertility] TFR 2020-2023 annual estimates, 2024-2100 median projection")
    print("  max |sum(pasfr) - 100| over years: %.3g" % max_pct_dev)
    print("  max |5*sum(asfr) - TFR| over %d years: %.3g" % (len(years), max_err))
    for y in (2020, 2023, 2024, 2050, 2100):
        print("  TFR %d = %s" % (y, fmt(tfr[y])))
    write_csv(OUT_DIR / "fertility.csv", ["year", "age", "asfr"], out_rows)


def build_tfr_intervals(src):
    """The spread of WPP2024's probabilistic TFR projection, which the engine's fertility draws
    are calibrated to (scenario fertility `uncertainty`)."""
    rows = []
    for r in read_csv(src / "china_wpp2024_tfr_proj_annual_2024_2100.csv"):
        y = int(r["year"])
        if FIRST_YEAR <= y <= LAST_YEAR:
            rows.append([y] + [fmt(float(r[k])) for k in
                               ("tfr", "tfr_80l", "tfr_80u", "tfr_95l", "tfr_95u")])
    print("\n[tfr_intervals] WPP2024 TFR median and 80/95%% bounds, %d-%d"
          % (rows[0][0], rows[-1][0]))
    for row in rows:
        if row[0] in (2030, 2050):
            print("  %d: median %s, 95%% %s-%s" % (row[0], row[1], row[4], row[5]))
    write_csv(OUT_DIR / "tfr_intervals.csv",
              ["year", "tfr", "lower80", "upper80", "lower95", "upper95"], rows)


def build_srb(src):
    srb = {int(r["year"]): float(r["srb"])
           for r in read_csv(src / "china_wpp2024_srb_annual_1950_2100.csv")}
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    out_rows = [[y, fmt(srb[y])] for y in years]
    print("\n[sex_ratio_at_birth] 2020: %s, 2100: %s" % (fmt(srb[2020]), fmt(srb[2100])))
    write_csv(OUT_DIR / "sex_ratio_at_birth.csv", ["year", "srb"], out_rows)


def build_migration(src):
    single = {}  # (year, sex, age) -> persons
    for r in read_csv(src / "china_wpp2024_netmig_by_single_age_sex_2023_2100.csv"):
        y = int(r["year"])
        a = age_lower(r["age"])
        single[(y, "male", a)] = float(r["migM"]) * 1000.0
        single[(y, "female", a)] = float(r["migF"]) * 1000.0
    ages = list(range(0, 101))
    for y in range(2023, LAST_YEAR + 1):
        for s in SEXES:
            for a in ages:
                assert (y, s, a) in single, (y, s, a)
    annual = {int(r["year"]): float(r["mig"]) * 1000.0
              for r in read_csv(src / "china_wpp2024_netmig_annual_1950_2023.csv")}
    total_2023 = sum(single[(2023, s, a)] for s in SEXES for a in ages)
    print("\n[net_migration] 2023 check: single-age file total %s persons, "
          "annual-total file %s persons, difference %s (%.3g%%)"
          % (fmt(total_2023), fmt(annual[2023]), fmt(total_2023 - annual[2023]),
             100.0 * (total_2023 - annual[2023]) / annual[2023]))
    for s in SEXES:
        print("  2023 %s total: %s" % (s, fmt(sum(single[(2023, s, a)] for a in ages))))
    shares = {(s, a): single[(2023, s, a)] / total_2023 for s in SEXES for a in ages}
    for y in (2020, 2021, 2022):
        for s in SEXES:
            for a in ages:
                single[(y, s, a)] = annual[y] * shares[(s, a)]
        chk = sum(single[(y, s, a)] for s in SEXES for a in ages)
        print("  %d: annual total %s persons distributed by the 2023 pattern "
              "(sum of cells %s)" % (y, fmt(annual[y]), fmt(chk)))
    out_rows = []
    for y in range(FIRST_YEAR, LAST_YEAR + 1):
        for s in SEXES:
            for a in ages:
                out_rows.append([y, s, a, fmt(single[(y, s, a)])])
    write_csv(OUT_DIR / "net_migration.csv",
              ["year", "sex", "age", "net_migrants"], out_rows)


def build_mortality(src):
    rows = read_csv(src / "china_wpp2024_mx_abridged_5yperiod.csv")
    cols = (("female", "mxF"), ("male", "mxM"), ("total", "mxB"))
    expected_ages = [0, 1] + list(range(5, 105, 5))
    data = {}
    for r in rows:
        p0, p1 = (int(x) for x in r["period"].split("-"))
        if p1 > 2020:
            continue  # 2020-2025 onward: partly or wholly projected
        data.setdefault((p0, p1 - 1), {})[age_lower(r["age"])] = r
    periods = sorted(data)
    assert periods[0] == (1950, 1954) and periods[-1] == (2015, 2019), periods
    assert len(periods) == 14
    out_rows = []
    for (f, t) in periods:
        assert sorted(data[(f, t)]) == expected_ages
        for sex, col in cols:
            for a in expected_ages:
                mx = float(data[(f, t)][a][col])
                assert mx > 0
                out_rows.append([f, t, sex, a, fmt(mx)])
    print("\n[mortality_history] periods %d-%d .. %d-%d, %d ages, 3 sexes"
          % (periods[0] + periods[-1] + (len(expected_ages),)))
    write_csv(OUT_DIR / "mortality_history.csv",
              ["from_year", "to_year", "sex", "age", "mx"], out_rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(REPO_ROOT.parent / "shared"),
                    help="path of the shared folder (default: %(default)s)")
    args = ap.parse_args(argv)
    src = Path(args.shared) / "data" / "china"
    if not src.is_dir():
        sys.exit("source folder not found: %s" % src)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    # The base population is the 2020 census's since issue 13 (prepare_census_base.py); the
    # WPP2019 graduation is kept for the comparison it prints, written beside it.
    totals = build_population(src)
    compare_wpp2024_2020(src, sum(totals.values()))
    build_fertility(src)
    build_tfr_intervals(src)
    build_srb(src)
    build_migration(src)
    build_mortality(src)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Build data/china/units/: China's provinces, prefectures and counties as census units.

Run by hand by a developer, never by the engine. Reads the 2010 and 2020 census tables by unit
and the official provincial life expectancies from <shared>/data/china_subnational (see the
*.source.txt sidecars), and WPP2024's national fertility history from <shared>/data/china, and
writes compact CSV files (integers wherever the source counts persons):

    units.csv            code,name_zh,level,parent,population,in_2010,boundary_changed,ceb
    census2020.csv       code,sex,0,1-4,5-9,...,80-84,85+          (persons, 1 Nov 2020)
    census2010.csv       code,sex,0,1-4,...,85+                    (persons, 1 Nov 2010, 2010 codes)
    census2010_units.csv code,name_zh,level,parent,cbr,cdr,ceb,in_same_county,in_other_county,
                         in_other_province                         (2010 codes)
    province_e0.csv      code,year,sex,e0                          (official, 1990/2000/2010)
    national_asfr.csv    year,age,asfr                             (WPP2024, 1950-2023)

Every step and choice is written up in data/SOURCES.md ("Census units"). The script prints the
consistency checks quoted there and exits with an error if a check that must hold fails.
Deterministic: re-running gives byte-identical files.

Usage (from the repository root):
    /usr/bin/python3 data/tools/build_units.py [--shared PATH]
"""

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "data" / "china" / "units"

NATION = "000000"  # the nation has no administrative code; this one is ours
GROUPS = ["0", "1_4"] + ["%d_%d" % (a, a + 4) for a in range(5, 85, 5)] + ["85plus"]
GROUP_LABELS = ["0", "1-4"] + ["%d-%d" % (a, a + 4) for a in range(5, 85, 5)] + ["85+"]
SEXES = (("female", "f"), ("male", "m"))
LEVELS = ("nation", "province", "prefecture", "county")
# Administrative suffixes stripped before names are compared across censuses (a county that
# became a district keeps its stem: 辽中县 -> 辽中区).
RATIO = 1.8  # population change relative to the prefecture's beyond which the area changed
NAME_SUFFIX = re.compile(r"(自治县|自治旗|林区|特区|县|区|市|旗)$")


def fail(message):
    print("CHECK FAILED: " + message, file=sys.stderr)
    sys.exit(1)


def write(df, name, float_format=None):
    path = OUT_DIR / name
    df.to_csv(path, index=False, lineterminator="\n", float_format=float_format)
    print("wrote %s: %d rows, %d bytes" % (path.relative_to(REPO_ROOT), len(df),
                                            path.stat().st_size))


def age_columns(prefix):
    return ["%s_%s" % (prefix, g) for g in GROUPS]


def clean_name(name):
    # The 2010 tables often print 巿 (U+5DFF) for 市; they are the same name.
    return str(name).replace("巿", "市")


def stem(name):
    return NAME_SUFFIX.sub("", clean_name(name))


# ------------------------------------------------------------------------------------------
def read_2020(src):
    d = pd.read_csv(src / "census2020_population_by_unit_sex_age.csv", dtype={"code": str})
    ages = age_columns("m") + age_columns("f")
    # Empty cells are groups the yearbook prints as blank: nobody (four tiny rows, see SOURCES).
    blanks = d.loc[d.code.notna(), ages].isna().sum().sum()
    d[ages] = d[ages].fillna(0).round().astype(np.int64)
    d.loc[d.level == "nation", "code"] = NATION
    if (d[ages].sum(axis=1) != d.population).any():
        fail("2020: age groups do not sum to the population")
    uncoded = d[d.code.isna()].copy()
    d = d[d.code.notna()].copy()
    # A code whose province does not exist is a misprint when the row names its prefecture:
    # 170971 五台山风景名胜区 of 忻州市 (140900) becomes 140971.
    prov_codes = set(d.code[d.level == "province"])
    pref_code = {(r.province_zh, r.prefecture_zh): r.code
                 for r in d[d.level == "prefecture"].itertuples()}
    for i, r in d[d.level == "county"].iterrows():
        if r.code[:2] + "0000" not in prov_codes:
            fixed = pref_code[(r.province_zh, r.prefecture_zh)][:4] + r.code[4:]
            print("2020: code %s (%s, %s) has no province; corrected to %s"
                  % (r.code, r.county_zh, r.prefecture_zh, fixed))
            d.loc[i, "code"] = fixed
    d["name_zh"] = np.select([d.level == "county", d.level == "prefecture"],
                             [d.county_zh, d.prefecture_zh], d.province_zh)
    d.loc[d.level == "nation", "name_zh"] = "全国"
    print("2020: %d coded units, %d blank age cells set to 0" % (len(d), blanks))
    return d, uncoded


def read_2010(src):
    d = pd.read_csv(src / "census2010_population_by_unit_sex_age.csv", dtype={"code": str})
    d = d[d.code.notna()].copy()
    d["name_zh"] = d.name_zh.map(clean_name)
    ages = age_columns("m") + age_columns("f")
    if d[ages].isna().any().any():
        fail("2010: a coded unit has a blank age group")
    d[ages] = d[ages].round().astype(np.int64)
    total = d[ages].sum(axis=1)
    off = d[(total - d.population).abs() > 0.5]
    for _, r in off.iterrows():
        print("2010: %s %s: printed population %d, age groups sum to %d (the groups are used)"
              % (r.code, r.name_zh, r.population, total[_]))
    d["population"] = total
    return d


def parent_codes(codes, levels, known):
    """Parent of each unit: the prefecture (first four digits + 00) when it exists, else the
    province (counties the province administers directly, e.g. 济源 419001)."""
    out = []
    for code, level in zip(codes, levels):
        if level == "nation":
            out.append("")
        elif level == "province":
            out.append(NATION)
        elif level == "prefecture":
            out.append(code[:2] + "0000")
        else:
            pref = code[:4] + "00"
            out.append(pref if pref in known else code[:2] + "0000")
    return out


def check_sums(d, year):
    """Provinces against the nation, prefectures (+ directly administered counties) against
    the province, counties against their prefecture. Returns the prefecture differences."""
    pop = d.set_index("code").population
    level = d.set_index("code").level
    if year == 2020:
        prov_sum = pop[level == "province"].sum()
        print("%d: nation %d, sum of the 31 provinces %d (difference %d)"
              % (year, pop[NATION], prov_sum, pop[NATION] - prov_sum))
        if prov_sum != pop[NATION]:
            fail("2020 provinces do not sum to the nation")
    kids = d[d.level.isin(["prefecture", "county"])]
    kids = kids[kids.parent.str.endswith("0000")]
    s = kids.groupby("parent").population.sum()
    for prov in pop[level == "province"].index:
        diff = pop[prov] - s.get(prov, 0)
        if diff != 0:
            print("%d: province %s exceeds its prefectures and direct counties by %d"
                  % (year, prov, diff))
            if year == 2020:
                fail("2020 provinces must equal their parts")
    print("%d: provinces checked against their prefectures and directly administered counties"
          % year)
    cty = d[(d.level == "county") & ~d.parent.str.endswith("0000")]
    s = cty.groupby("parent").population.sum()
    diffs = {}
    for pref in pop[level == "prefecture"].index:
        if pref in s.index and pop[pref] != s[pref]:
            diffs[pref] = pop[pref] - s[pref]
    print("%d: %d prefectures differ from the sum of their coded counties" % (year, len(diffs)))
    return diffs


def boundary_changes(u20, u10):
    """Units whose 2010 and 2020 areas differ as far as the two tables show: a county found by
    name (stem) in both censuses of a province whose prefecture changed (a county moved from one
    prefecture to another, or a prefecture was dissolved into another), or a county code whose
    name stem changed."""
    changed = {}
    c20 = u20[u20.level == "county"]
    c10 = u10[u10.level == "county"]
    by_stem20, count10 = {}, {}
    for r in c20.itertuples():
        by_stem20.setdefault((r.code[:2], stem(r.name_zh)), []).append(r)
    for r in c10.itertuples():
        key = (r.code[:2], stem(r.name_zh))
        count10[key] = count10.get(key, 0) + 1
    for r in c10.itertuples():
        key = (r.code[:2], stem(r.name_zh))
        hits = by_stem20.get(key, [])
        if len(hits) != 1 or count10[key] != 1:
            continue  # unknown or ambiguous (郊区, 桥东区, ...): no evidence either way
        new = hits[0]
        if new.parent != r.parent and not r.parent.endswith("0000"):
            why = "county %s (%s) moved from %s (2010) to %s (2020)" % (
                new.name_zh, new.code, r.parent, new.parent)
            for pref in (r.parent, new.parent):
                changed.setdefault(pref, []).append(why)
    names10 = u10.set_index("code").name_zh
    for r in c20.itertuples():
        if r.code in names10.index and stem(names10[r.code]) != stem(r.name_zh):
            changed.setdefault(r.code, []).append(
                "code %s is %s in 2010 and %s in 2020" % (r.code, names10[r.code], r.name_zh))
    # Counts: a matched county whose 2020 count is more than RATIO times, or less than 1/RATIO
    # of, its 2010 count grown at the pace of its prefecture's other matched counties took in or gave away area (a merger that
    # kept its code, as 静安区 took 闸北区), or its 2010 code meant another area. Real growth of
    # this size relative to the prefecture is rare; it is marked too, to be safe.
    pop10 = u10.set_index("code").population
    pop20 = u20.set_index("code").population
    for prefix, kids20 in c20.groupby(c20.code.str[:4]):
        kids10 = c10[c10.code.str[:4] == prefix]
        if prefix[2:4] == "90" or kids10.empty:
            continue  # directly administered counties are not a prefecture
        both = [c for c in kids20.code if c in pop10.index]
        for r in kids20.itertuples():
            # The pace of the prefecture's other counties found in both censuses (others came or
            # went with their people); the prefecture's own when it has no other.
            others = [c for c in both if c != r.code]
            if r.code not in pop10.index:
                continue
            pace = (pop20[others].sum() / pop10[others].sum() if others
                    else pop20.get(r.code[:4] + "00", 1.0) / pop10.get(r.code[:4] + "00", 1.0))
            relative = pop20[r.code] / (pop10[r.code] * pace)
            if relative > RATIO or relative < 1.0 / RATIO:
                changed.setdefault(r.code, []).append(
                    "%s went from %d to %d persons while its prefecture changed %.2fx"
                    % (r.name_zh, pop10[r.code], pop20[r.code], pace))
    return changed


# ------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared")
    args = ap.parse_args()
    src = args.shared / "data" / "china_subnational"
    OUT_DIR.mkdir(parents=True, exist_ok=True)

    d20, uncoded20 = read_2020(src)
    d10 = read_2010(src)

    known20 = set(d20.code)
    d20["parent"] = parent_codes(d20.code, d20.level, known20)
    # 2010 has no nation row: it is built as the sum of the 31 provinces.
    ages = age_columns("m") + age_columns("f")
    prov10 = d10[d10.level == "province"]
    nation10 = prov10[ages].sum()
    nation10["code"], nation10["level"], nation10["name_zh"] = NATION, "nation", "全国"
    nation10["population"] = prov10.population.sum()
    w = prov10.population / prov10.population.sum()
    women = prov10[["f_%s" % g for g in GROUPS[4:14]]].sum(axis=1)  # 15-64
    nation10["crude_birth_rate_per_1000"] = (w * prov10.crude_birth_rate_per_1000).sum()
    nation10["crude_death_rate_per_1000"] = (w * prov10.crude_death_rate_per_1000).sum()
    nation10["children_ever_born_per_woman_15_64"] = (
        (women * prov10.children_ever_born_per_woman_15_64).sum() / women.sum())
    for c in ("in_migrants_same_county", "in_migrants_other_county_same_province",
              "in_migrants_other_province"):
        nation10[c] = prov10[c].sum()
    d10 = pd.concat([nation10.to_frame().T, d10], ignore_index=True)
    d10["parent"] = parent_codes(d10.code, d10.level, set(d10.code))

    diffs20 = check_sums(d20, 2020)
    diffs10 = check_sums(d10, 2010)

    # Uncoded 2020 rows (development zones, islands, subtotals) and where they belong.
    uncoded20 = uncoded20[uncoded20.level != "nation"]
    print("2020 rows without a code (not units):")
    zone_total = {}
    for r in uncoded20.itertuples():
        print("  %s / %s / %s: %d" % (r.province_zh, r.prefecture_zh, r.county_zh, r.population))
    pref_of = {(r.province_zh, r.prefecture_zh): r.code
               for r in d20[d20.level == "prefecture"].itertuples()}
    for r in uncoded20.itertuples():
        pref = pref_of.get((r.province_zh, r.prefecture_zh))
        if pref is not None:
            zone_total[pref] = zone_total.get(pref, 0) + int(r.population)
    for pref, diff in sorted(diffs20.items()):
        print("  prefecture %s exceeds its counties by %d; its uncoded rows hold %d"
              % (pref, diff, zone_total.get(pref, 0)))
        if zone_total.get(pref, 0) != diff:
            fail("2020: prefecture %s differs from its counties by more than its uncoded rows"
                 % pref)
    print("2020: the %d prefecture differences (%d persons) are exactly their uncoded rows"
          % (len(diffs20), sum(diffs20.values())))
    print("2010 prefectures that differ from their coded counties:")
    for pref, diff in sorted(diffs10.items()):
        print("  %s %s: %d" % (pref, d10.set_index("code").name_zh[pref], diff))

    # Matching across censuses.
    key10 = set(zip(d10.code, d10.level))
    d20["in_2010"] = [int((c, l) in key10) for c, l in zip(d20.code, d20.level)]
    changes = boundary_changes(d20, d10)
    d20["boundary_changed"] = [int(c in changes and i == 1)
                               for c, i in zip(d20.code, d20.in_2010)]
    print("2020 units by level and match with 2010:")
    print(d20.groupby("level").agg(units=("code", "size"), in_2010=("in_2010", "sum"),
                                   boundary_changed=("boundary_changed", "sum")).to_string())
    for code in sorted(changes):
        if code in known20 and d20.set_index("code").in_2010[code]:
            print("  boundary changed %s %s: %s" % (code, d20.set_index("code").name_zh[code],
                                                    "; ".join(sorted(set(changes[code])))))

    # units.csv
    order = {lv: i for i, lv in enumerate(LEVELS)}
    d20 = d20.sort_values("code", key=lambda s: s.map(lambda c: c)).reset_index(drop=True)
    units = pd.DataFrame({
        "code": d20.code, "name_zh": d20.name_zh, "level": d20.level, "parent": d20.parent,
        "population": d20.population.astype(np.int64), "in_2010": d20.in_2010,
        "boundary_changed": d20.boundary_changed,
        "ceb": d20.children_ever_born_per_woman_15_64})
    assert units.level.map(order).notna().all()
    write(units, "units.csv", float_format="%.2f")

    def ages_table(d):
        rows = []
        for sex, p in SEXES:
            t = d[["code"]].copy()
            t.insert(1, "sex", sex)
            for g, label in zip(GROUPS, GROUP_LABELS):
                t[label] = d["%s_%s" % (p, g)].astype(np.int64).values
            rows.append(t)
        return pd.concat(rows).sort_values(["code", "sex"], kind="stable")

    write(ages_table(d20), "census2020.csv")
    d10 = d10.sort_values("code").reset_index(drop=True)
    write(ages_table(d10), "census2010.csv")
    u10 = pd.DataFrame({
        "code": d10.code, "name_zh": d10.name_zh, "level": d10.level, "parent": d10.parent,
        "cbr": d10.crude_birth_rate_per_1000.astype(float),
        "cdr": d10.crude_death_rate_per_1000.astype(float),
        "ceb": d10.children_ever_born_per_woman_15_64.astype(float),
        "in_same_county": d10.in_migrants_same_county,
        "in_other_county": d10.in_migrants_other_county_same_province,
        "in_other_province": d10.in_migrants_other_province})
    for c in ("in_same_county", "in_other_county", "in_other_province"):
        u10[c] = u10[c].map(lambda v: "" if pd.isna(v) else str(int(round(float(v)))))
    write(u10, "census2010_units.csv", float_format="%.2f")

    # Official life expectancy by province: names matched to 2020 province codes.
    e = pd.read_csv(src / "province_life_expectancy_1990_2000_2010.csv")
    notes = e[e.year.isna() | e.e0.isna()]
    for text in notes.province_zh.unique():
        print("province_e0: skipped the table's note rows %r" % text)
    e = e.drop(notes.index)
    e["year"] = e.year.astype(int)
    prov = d20[d20.level == "province"]
    code_of = {"全国": NATION}
    for name in e.province_zh.unique():
        if name == "全国":
            continue
        hits = prov[prov.name_zh.str.startswith(name)]
        if len(hits) != 1:
            fail("province name %s matches %d provinces" % (name, len(hits)))
        code_of[name] = hits.code.iloc[0]
    if len(code_of) != 32:
        fail("expected the nation and 31 provinces in the e0 table")
    e.insert(0, "code", e.province_zh.map(code_of))
    e = e.drop(columns="province_zh").sort_values(["code", "year", "sex"])
    write(e, "province_e0.csv", float_format="%.2f")

    # National fertility history (WPP2024): asfr = TFR x pasfr / 100 / 5, as prepare_china.py.
    china = args.shared / "data" / "china"
    tfr = pd.read_csv(china / "china_wpp2024_tfr_annual_1950_2023.csv").set_index("year").tfr
    pasfr = pd.read_csv(china / "china_wpp2024_pasfr_5yage_annual_1950_2100.csv")
    rows = []
    for year in tfr.index:
        for _, r in pasfr.iterrows():
            rows.append((year, r.age, tfr[year] * r[str(year)] / 100.0 / 5.0))
    asfr = pd.DataFrame(rows, columns=["year", "age", "asfr"])
    check = asfr.groupby("year").asfr.sum() * 5 - tfr
    print("national_asfr: largest |5 sum asfr - TFR| = %.2e" % check.abs().max())
    write(asfr, "national_asfr.csv", float_format="%.6g")

    # Headline checks quoted in SOURCES.md.
    pop = units.set_index("code").population
    for code in ("210100", "211100", "410200", "410212", "330700", "331100", "210000"):
        print("  %s %s %d" % (code, units.set_index("code").name_zh[code], pop[code]))
    total = sum((OUT_DIR / f).stat().st_size for f in (
        "units.csv", "census2020.csv", "census2010.csv", "census2010_units.csv",
        "province_e0.csv", "national_asfr.csv"))
    print("data/china/units: %d bytes in all" % total)


if __name__ == "__main__":
    main()

"""Regions given as census units (`regions: [{name, unit}]`): a plan runs on its own city's
census counts and levels, not on national data."""

import os
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")


def healthcast(*args):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=300)


def write_scenario(folder, regions, extra=""):
    path = folder / "s.yaml"
    path.write_text(f"healthcast: 1\nname: s\nextends: {SOURCE}/scenarios/china_reference.yaml\n"
                    f"horizon: 2022\nregions:\n{regions}{extra}", encoding="utf-8")
    return path


def run(path, out, *args):
    result = healthcast("run", path, "-o", out, *args)
    assert result.returncode == 0, result.stderr
    return h5py.File(out, "r")


def base_population(f, region=0):
    # population (year, region, sex, age); sex 2 is the total.
    return float(f["population"][0, region, 2, :].sum())


def test_shenyang_runs_on_its_own_census_population(tmp_path):
    f = run(SOURCE / "scenarios" / "plans" / "shenyang.yaml", tmp_path / "sy.h5")
    # The 2020 census counted 9,070,093 persons in Shenyang on 1 November 2020; moved back ten
    # months and with the national young-age under-count factors the base is within 1% of it,
    # and nowhere near the nation's 1.41 billion or a scaled copy of it.
    assert base_population(f) == pytest.approx(9_070_093, rel=0.01)
    units = f.attrs["units"]
    units = units.decode() if isinstance(units, bytes) else units
    assert "210100" in units and "沈阳市" in units
    assert "population_scaled" not in f.attrs
    # Shenyang's 65+ share at the census was 15.47% (female) and 14.73% (male): an older city
    # than the nation (13.52%); the base population keeps that.
    pop = f["population"][0, 0]
    share_65 = pop[2, 65:].sum() / pop[2].sum()
    assert 0.14 < share_65 < 0.16


def test_a_city_made_of_its_districts_is_the_sum_of_their_populations(tmp_path):
    # Kaifeng's five districts (2020 codes); counts add up exactly.
    districts = ["410202", "410203", "410204", "410205", "410212"]
    members = "".join(f"  - name: d{c}\n    unit: \"{c}\"\n" for c in districts)
    separate = run(write_scenario(tmp_path, members), tmp_path / "members.h5")
    whole = tmp_path / "whole"
    whole.mkdir()
    aggregate = "  - name: kaifeng_districts\n    unit: [" + ", ".join(
        f'"{c}"' for c in districts) + "]\n"
    together = run(write_scenario(whole, aggregate), whole / "agg.h5")
    total = sum(base_population(separate, r) for r in range(len(districts)))
    assert base_population(together) == pytest.approx(total, rel=1e-12)


def test_a_unit_with_migration_draws_spreads_its_population(tmp_path):
    # Shenyang gained migrants between the censuses; draws carry the uncertainty of its
    # mortality level, fertility level and migration rates, so the 2022 population varies.
    f = run(write_scenario(tmp_path, '  - name: shenyang\n    unit: "210100"\n'),
            tmp_path / "d.h5", "--draws", "8", "--keep-draws")
    names = [k for k in f.keys() if k.startswith("population") and "draw" in k]
    assert names, list(f.keys())
    drawn = np.asarray(f[names[0]])
    assert np.nanstd(drawn.reshape(drawn.shape[0], -1).sum(axis=1)) > 0


def test_an_unknown_unit_code_is_bad_input_naming_the_file(tmp_path):
    path = write_scenario(tmp_path, '  - name: x\n    unit: "219999"\n')
    result = healthcast("run", path, "-o", tmp_path / "x.h5")
    assert result.returncode == 2
    assert "s.yaml" in result.stderr and "219999" in result.stderr


def test_a_unit_code_must_have_six_digits(tmp_path):
    path = write_scenario(tmp_path, '  - name: x\n    unit: "2101"\n')
    result = healthcast("validate", path)
    assert result.returncode == 2
    assert "unit" in result.stderr


# ---- a planner's own figures --------------------------------------------------------------
def unit_with(official, inputs=""):
    return ('  - name: shenyang\n    unit: "210100"\n' + inputs +
            "    official:\n" + "".join(f"      {line}\n" for line in official))


def e0_of_inputs(f):
    # calibration_e0_input (region, sex): e0 of the base year's input death rates.
    return f["calibration_e0_input"][0, 0], f["calibration_e0_input"][0, 1]


def test_an_official_e0_recalibrates_the_units_mortality(tmp_path):
    f = run(write_scenario(tmp_path, unit_with(["e0: {year: 2020, female: 83.5, male: 78.2}"])),
            tmp_path / "e0.h5")
    female, male = e0_of_inputs(f)
    # The base year's input rates reproduce the official figures (their life table).
    assert female == pytest.approx(83.5, abs=0.01)
    assert male == pytest.approx(78.2, abs=0.01)
    notes = f.attrs["unit_notes"]
    notes = notes.decode() if isinstance(notes, bytes) else notes
    assert "official e0 83.50 in 2020" in notes


def test_an_official_tfr_scales_births_in_proportion(tmp_path):
    low = tmp_path / "low"
    high = tmp_path / "high"
    low.mkdir()
    high.mkdir()
    a = run(write_scenario(low, unit_with(["tfr: {year: 2020, value: 1.0}"])), low / "a.h5")
    b = run(write_scenario(high, unit_with(["tfr: {year: 2020, value: 1.2}"])), high / "b.h5")
    # Births of the base year are the rates times women's person-years, which fertility does
    # not change within that year: the ratio of births is the ratio of the TFRs.
    ratio = b["births"][0, 0, 2] / a["births"][0, 0, 2]
    assert ratio == pytest.approx(1.2, rel=1e-9)


def test_an_official_net_migration_total_scales_the_units_rates(tmp_path):
    f = run(write_scenario(tmp_path, unit_with(["net_migration: {year: 2020, value: 50000}"])),
            tmp_path / "m.h5")
    # Rates are applied half at the start and half at the end of the year, to a cohort that
    # loses its deaths in between (about 0.7% a year in Shenyang): within 1% of the figure.
    net = float(f["net_migration"][0, 0, 2, :].sum())
    assert net == pytest.approx(50000, rel=0.01)


def test_migration_counts_made_for_another_population_are_refused(tmp_path):
    # The nation's net migration counts given as the city's own.
    counts = SOURCE / "data" / "china" / "net_migration.csv"
    scaled = tmp_path / "counts.csv"
    lines = counts.read_text().splitlines()
    header, rows = lines[0], lines[1:]
    col = header.split(",").index("net_migrants")
    out = [header]
    for row in rows:
        cells = row.split(",")
        cells[col] = str(float(cells[col]) * 20)   # a big country's counts
        out.append(",".join(cells))
    scaled.write_text("\n".join(out) + "\n")
    path = write_scenario(tmp_path, '  - name: shenyang\n    unit: "210100"\n'
                          f"    inputs:\n      net_migration: {scaled}\n")
    result = healthcast("run", path, "-o", tmp_path / "x.h5")
    assert result.returncode == 2, result.stderr
    assert "counts made for another population" in result.stderr
    assert "counts.csv" in result.stderr


def test_the_smallest_county_runs_with_finite_positive_rates(tmp_path):
    # 东营港经济开发区 (370572): 3,614 persons in 2020, one of them a blank census cell, no 2010
    # code. Its level borrows from its prefecture and province: no zero or infinite rate.
    f = run(write_scenario(tmp_path, '  - name: tiny\n    unit: "370572"\n'), tmp_path / "t.h5",
            "--draws", "4")
    e0 = np.asarray(f["life_expectancy"][:, 0, :2, 0])
    assert np.all(np.isfinite(e0)) and np.all((e0 > 60) & (e0 < 95)), e0
    deaths = np.asarray(f["deaths"][:, 0, :2, :])
    assert np.all(np.isfinite(deaths)) and np.all(deaths >= 0) and deaths.sum() > 0
    assert float(f["population"][0, 0, 2, :].sum()) == pytest.approx(3614, rel=0.02)


def test_better_than_national_compares_the_units_run_with_the_national_run(tmp_path):
    target = ('targets:\n  - {indicator: life_expectancy, year: 2022, comparator: better_than, '
              'reference: national}\n')
    f = run(write_scenario(tmp_path, '  - name: xiangfu\n    unit: "410212"\n', target),
            tmp_path / "b.h5")
    national = tmp_path / "national"
    national.mkdir()
    n = run(write_scenario(national, "  - china\n"), national / "n.h5")
    own = float(f["life_expectancy"][2, 0, 2, 0])        # 2022, total, age 0
    nation = float(n["life_expectancy"][2, 0, 2, 0])
    status = f["target_status"][0]
    status = status.decode() if isinstance(status, bytes) else str(status)
    assert float(f["target_judged"][0]) == pytest.approx(own, abs=1e-9)
    assert status == ("met" if own > nation else "not_met")
    # The gap is what is still to go: the national value minus the region's when behind.
    assert float(f["target_gap"][0]) == pytest.approx(nation - own, abs=1e-6)


def test_levels_from_national_inputs_are_not_comparable_in_a_unit(tmp_path):
    # A unit on the national health model and sex ratio at birth: a level target on CVD
    # mortality, on the sex ratio or on a lever starting from the national coverage would be
    # judged on another place's numbers; a change (decrease) stays judged.
    targets = """targets:
  - {indicator: cvd_mortality, year: 2022, comparator: "<=", value: 200}
  - {indicator: sex_ratio_at_birth, year: 2022, comparator: natural}
  - {indicator: premature_ncd_mortality, year: 2022, comparator: decrease, base_year: 2020}
"""
    f = run(write_scenario(tmp_path, '  - name: xiangfu\n    unit: "410212"\n', targets),
            tmp_path / "n.h5")
    status = [s.decode() if isinstance(s, bytes) else str(s) for s in f["target_status"][:]]
    assert status[:2] == ["not_comparable", "not_comparable"]
    assert status[2] in ("met", "not_met")
    xiangfu = run(SOURCE / "scenarios" / "plans" / "xiangfu.yaml", tmp_path / "x.h5")
    rows = {(i.decode() if isinstance(i, bytes) else str(i), int(y)): k for k, (i, y) in
            enumerate(zip(xiangfu["target_indicator"][:], xiangfu["target_year"][:]))}
    status = xiangfu["target_status"][rows[("diabetes_management", 2022)]]
    assert (status.decode() if isinstance(status, bytes) else str(status)) == "not_comparable"

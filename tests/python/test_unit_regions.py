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

"""Comparisons with uncertainty: draw j of a plan against draw j of its reference (common random
numbers), so the interval is that of the levers' effect, not of the levels."""

import os
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")

DRAWS = 6


def healthcast(*args):
    result = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paired")
    plan = folder / "plan.yaml"
    plan.write_text(f"healthcast: 1\nname: plan\nextends: {SOURCE}/scenarios/plans/shenyang.yaml\n"
                    "horizon: 2024\n", encoding="utf-8")
    reference = folder / "reference.yaml"
    reference.write_text(f"healthcast: 1\nname: reference\nextends: "
                         f"{SOURCE}/scenarios/china_reference.yaml\nhorizon: 2024\nregions:\n"
                         '  - name: shenyang\n    unit: "210100"\n', encoding="utf-8")
    out = {}
    for name, path, seed in [("plan", plan, 1), ("reference", reference, 1),
                             ("other_seed", reference, 2)]:
        out[name] = folder / f"{name}.h5"
        healthcast("run", path, "-o", out[name], "--draws", DRAWS, "--keep-draws", "--seed", seed)
    out["folder"] = folder
    return out


def test_paired_intervals_are_the_quantiles_of_the_per_draw_differences(runs):
    cmp = runs["folder"] / "cmp.h5"
    printed = healthcast("compare", runs["reference"], runs["plan"], "-o", cmp).stdout
    assert "paired by number" in printed
    with h5py.File(runs["reference"]) as r, h5py.File(runs["plan"]) as p, h5py.File(cmp) as c:
        # deaths_draws (draw, year, region, sex, age); sex 2 is the total.
        per_draw = (np.asarray(r["deaths_draws"][:, :, 0, 2, :]).sum(axis=2)
                    - np.asarray(p["deaths_draws"][:, :, 0, 2, :]).sum(axis=2)).cumsum(axis=1)
        summary = np.asarray(c["cumulative_deaths_averted_summary"][:, :, 0, 2])
        labels = [s.decode() if isinstance(s, bytes) else s for s in c["statistic"][:]]
        # Up to 9 draws the summary's quantiles are exact (numpy's linear interpolation).
        for stat, q in [("lower_95", 2.5), ("median", 50), ("upper_95", 97.5)]:
            np.testing.assert_allclose(summary[labels.index(stat)],
                                       np.percentile(per_draw, q, axis=0), rtol=1e-9, atol=1e-6)
        # The levers avert deaths in every draw by 2024.
        assert np.all(per_draw[:, -1] > 0)


def test_runs_with_different_seeds_are_not_paired_and_say_why(runs):
    printed = healthcast("compare", runs["other_seed"], runs["plan"]).stdout
    assert "not paired" in printed and "seeds differ" in printed


def test_reference_auto_runs_the_chains_root_on_the_plans_unit_and_draws(runs):
    # The plan extends shenyang.yaml, which extends china_reference.yaml: the matching reference
    # is china_reference on the plan's unit, years, draws and seed, i.e. the reference run above.
    given, auto = runs["folder"] / "given.h5", runs["folder"] / "auto.h5"
    healthcast("compare", runs["reference"], runs["plan"], "-o", given)
    printed = healthcast("compare", "auto", runs["plan"], "-o", auto).stdout
    assert "Running the matching reference" in printed
    with h5py.File(given) as a, h5py.File(auto) as b:
        for name in ["cumulative_deaths_averted", "cumulative_deaths_averted_summary",
                     "life_expectancy_difference"]:
            np.testing.assert_array_equal(np.asarray(a[name]), np.asarray(b[name]), name)

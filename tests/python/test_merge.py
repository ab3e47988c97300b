"""Runs split into parts and merged (`healthcast run --draw-range A:B`, `--units`,
`healthcast merge`, `hc.merge`): whatever the partition, the merge equals the whole run bit for
bit in every variable, summary, target probability and attribute; parts that do not fit
together are refused with exit status 2 and a message naming the files and ranges."""

import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest
from test_draws import short_scenario

BIN = os.environ.get("HEALTHCAST_BIN")

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")

HORIZON = 2026  # seven projected years keep ten draws short
DRAWS = 10
# Attributes that must differ between a merge and the whole run: when and from what it was made.
PROVENANCE = {"creation_time", "merged_from"}
# A target judged in draws, so that the merge must recompute a probability from outcomes.
TARGETS = """targets:
  - indicator: life_expectancy
    year: 2026
    comparator: ">="
    value: 79.5
    unit: years
"""


def scenario(folder, targets=""):
    return short_scenario(folder, targets, HORIZON)


def cli(*arguments):
    return subprocess.run([BIN, *map(str, arguments)], capture_output=True, text=True)


def run(scenario_path, output, *options):
    result = cli("run", scenario_path, "-o", output, "-q", "--draws", DRAWS, "--seed", 5,
                 "--threads", 2, *options)
    assert result.returncode == 0, result.stderr
    return output


def merge(output, *parts, options=()):
    result = cli("merge", *parts, "-o", output, "-q", *options)
    assert result.returncode == 0, result.stderr
    return output


def contents(path):
    """Every dataset (values) and root attribute of a file."""
    with h5py.File(path, "r") as f:
        data = {k: f[k][()] for k in f if isinstance(f[k], h5py.Dataset)}
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    return data, attrs


def assert_bitwise_equal(merged, whole):
    got, got_attrs = contents(merged)
    want, want_attrs = contents(whole)
    assert got.keys() == want.keys()
    for name, values in want.items():
        if values.dtype.kind == "f":
            # Same bits: equal values, NaN where NaN, and the same sign of zeros.
            assert np.array_equal(got[name].view(np.uint64), values.view(np.uint64)), name
        else:
            assert np.array_equal(got[name], values), name
    assert set(got_attrs) - PROVENANCE == set(want_attrs) - PROVENANCE
    for key in set(want_attrs) - PROVENANCE - {"creation_time"}:
        assert np.array_equal(got_attrs[key], want_attrs[key]), key
    assert "merged_from" in got_attrs


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("merge")
    path = scenario(folder, TARGETS)
    return {
        "folder": folder,
        "scenario": path,
        "whole": run(path, folder / "whole.h5"),
        "whole_kept": run(path, folder / "whole_kept.h5", "--keep-draws"),
        "parts": {r: run(path, folder / f"p{r.replace(':', '-')}.h5", "--draw-range", r)
                  for r in ("0:3", "3:7", "7:10", "0:1", "1:10", "0:10", "3:10")},
    }


@pytest.mark.parametrize("partition", [["0:3", "3:7", "7:10"], ["0:1", "1:10"], ["0:10"],
                                       ["7:10", "0:3", "3:7"]])
def test_parts_merge_into_the_whole_run_bitwise(made, partition, tmp_path):
    parts = [made["parts"][r] for r in partition]
    assert_bitwise_equal(merge(tmp_path / "merged.h5", *parts), made["whole"])
    kept = merge(tmp_path / "kept.h5", *parts, options=["--keep-draws"])
    assert_bitwise_equal(kept, made["whole_kept"])


def test_a_part_holds_its_draws_and_outcomes(made):
    data, attrs = contents(made["parts"]["3:7"])
    assert attrs["draw_range"] == "3:7" and attrs["draws"] == "10" and attrs["seed"] == "5"
    assert len(attrs["inputs_hash"]) == 16
    assert list(data["draw"]) == [3, 4, 5, 6]
    whole, _ = contents(made["whole_kept"])
    np.testing.assert_array_equal(data["life_expectancy_draws"],
                                  whole["life_expectancy_draws"][3:7])
    met = data["target_met_draws"]
    assert met.shape == (4, 1) and set(np.unique(met)) <= {0.0, 1.0}
    # The whole run's probability is the share of its ten draws that meet the target; met in
    # some draws and not in others, so that no part's own share is the whole run's.
    assert whole["target_probability"][0] == whole["target_met_draws"][:, 0].mean()
    assert 0.0 < whole["target_probability"][0] < 1.0
    assert data["target_probability"][0] != whole["target_probability"][0]


def test_the_summaries_are_the_exact_statistics_of_the_draws(made):
    whole, _ = contents(made["whole_kept"])
    draws = whole["life_expectancy_draws"]
    summary = whole["life_expectancy_summary"]
    np.testing.assert_array_equal(summary[1], np.quantile(draws, 0.5, axis=0))
    np.testing.assert_allclose(summary[2], np.quantile(draws, 0.025, axis=0), rtol=1e-15)
    np.testing.assert_allclose(summary[3], np.quantile(draws, 0.975, axis=0), rtol=1e-15)
    np.testing.assert_allclose(summary[0], draws.mean(axis=0), rtol=1e-14)


def test_python_parts_and_merge_give_the_same_file(made, tmp_path):
    import healthcast as hc

    for r in ((0, 4), (4, 10)):
        hc.run(made["scenario"], draws=DRAWS, seed=5, threads=2, draw_range=r,
               path=tmp_path / f"py{r[0]}.h5", progress=False)
    merged = hc.merge([tmp_path / "py4.h5", tmp_path / "py0.h5"], tmp_path / "py.h5")
    assert merged.path == tmp_path / "py.h5"
    assert_bitwise_equal(tmp_path / "py.h5", made["whole"])


def test_parts_of_other_units_merge_into_the_run_on_both(tmp_path):
    path = scenario(tmp_path)
    both = run(path, tmp_path / "both.h5", "--units", "210102,210103")
    parts = [run(path, tmp_path / "a0.h5", "--units", "210102", "--draw-range", "0:6"),
             run(path, tmp_path / "b.h5", "--units", "210103", "--draw-range", "0:10"),
             run(path, tmp_path / "a6.h5", "--units", "210102", "--draw-range", "6:10")]
    assert_bitwise_equal(merge(tmp_path / "m.h5", *parts), both)
    data, attrs = contents(both)
    assert list(data["region"].astype(str)) == ["210102", "210103"]


def refused(tmp_path, *parts):
    result = cli("merge", *parts, "-o", tmp_path / "refused.h5")
    assert result.returncode == 2, result.stderr
    assert not (tmp_path / "refused.h5").exists()
    return result.stderr


def test_parts_that_do_not_fit_are_refused(made, tmp_path):
    p = made["parts"]
    message = refused(tmp_path, p["0:3"], p["7:10"])
    assert "draws 3 to 6 of 10 are in no part" in message and str(p["7:10"]) in message
    message = refused(tmp_path, p["0:3"], p["3:7"])
    assert "draws 7 to 9 of 10 are in no part" in message
    message = refused(tmp_path, p["0:3"], p["1:10"], p["3:10"])
    assert "overlap" in message and "(draws 0:3)" in message and "(draws 1:10)" in message
    message = refused(tmp_path, p["3:10"])
    assert "draws 0 to 2 of 10 are in no part" in message

    folder = made["folder"]
    other_seed = folder / "seed6.h5"
    assert cli("run", made["scenario"], "-o", other_seed, "-q", "--draws", DRAWS, "--seed", 6,
               "--draw-range", "3:10").returncode == 0
    message = refused(tmp_path, p["0:3"], other_seed)
    assert "seed differ" in message and str(other_seed) in message

    other = tmp_path / "other"
    other.mkdir()
    other_scenario = scenario(other)  # no targets: another scenario text
    other_part = run(other_scenario, other / "p.h5", "--draw-range", "3:10")
    assert "scenario text differ" in refused(tmp_path, p["0:3"], other_part)
    assert "not a part of a run" in refused(tmp_path, made["whole"], p["0:3"])


def test_a_draw_range_outside_the_draws_is_refused(made, tmp_path):
    result = cli("run", made["scenario"], "-o", tmp_path / "x.h5", "--draws", 5,
                 "--draw-range", "3:9")
    assert result.returncode == 2 and "0 <= A < B <= 5" in result.stderr


@pytest.mark.parametrize("how", ["SLURM_CPUS_PER_TASK", "taskset"])
def test_the_default_thread_count_follows_the_usable_cpus(made, how):
    """A 1-CPU allocation gets one thread, whatever the machine's cores."""
    command = [BIN, "run", made["scenario"], "--draws", 2, "-o", made["folder"] / "one.h5"]
    env = dict(os.environ)
    if how == "taskset":
        if shutil.which("taskset") is None:
            pytest.skip("no taskset")
        command = ["taskset", "-c", "0", *command]
        env.pop("SLURM_CPUS_PER_TASK", None)
    else:
        env["SLURM_CPUS_PER_TASK"] = "1"
    result = subprocess.run(list(map(str, command)), capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert ", 1 thread(s)" in result.stdout


def test_python_refuses_parts_that_do_not_fit_and_bad_ranges(made, tmp_path):
    import healthcast as hc

    p = made["parts"]
    with pytest.raises(hc.ResultsFileError, match="draws 3 to 6 of 10 are in no part"):
        hc.merge([p["0:3"], p["7:10"]], tmp_path / "gap.h5")
    assert not (tmp_path / "gap.h5").exists()
    with pytest.raises(ValueError, match="draw_range"):
        hc.run(made["scenario"], draws=5, draw_range=(3, 9), progress=False)
    with pytest.raises(ValueError, match="units"):
        hc.run(made["scenario"], units="210102", progress=False)
    with pytest.raises(hc.ScenarioError, match="no region 'nowhere'"):
        hc.run(made["scenario"], regions=["nowhere"], progress=False)


def test_regions_judged_together_are_not_merged_from_parts(made, tmp_path):
    """With targets (judged over all regions together), parts of other regions are refused."""
    a = run(made["scenario"], tmp_path / "a.h5", "--units", "210102", "--draw-range", "0:10")
    b = run(made["scenario"], tmp_path / "b.h5", "--units", "210103", "--draw-range", "0:10")
    assert "each region is projected and judged on its own" in refused(tmp_path, a, b)
    both = [run(made["scenario"], tmp_path / f"ab{r}.h5", "--units", "210102,210103",
                "--draw-range", r) for r in ("0:5", "5:10")]
    whole = run(made["scenario"], tmp_path / "whole.h5", "--units", "210102,210103")
    assert_bitwise_equal(merge(tmp_path / "m.h5", *both), whole)

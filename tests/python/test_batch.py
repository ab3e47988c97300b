"""`healthcast batch`: a manifest expands into scenario x unit group x draw chunk tasks that run
on Dask distributed; the merged files equal one whole run bitwise, whether a worker is killed
mid-run or the whole batch is stopped and resumed; a changed input makes a resume refuse."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

import healthcast as hc
from healthcast.batch import read_manifest

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")

# Kaifeng's districts and counties (2020 codes, data/china/units/units.csv).
KAIFENG = ["410202", "410203", "410204", "410205", "410212", "410221", "410222", "410223",
           "410225"]
# Root attributes that say when and from what a file was written, not what it holds: a merged
# file lists its parts (hc.merge's docstring names these two).
WRITTEN_WHEN = {"creation_time", "merged_from"}


def short_scenario(folder, name="short", extends=SOURCE / "scenarios" / "china_reference.yaml"):
    """A scenario cut at 2022 (two projected years keep the runs short)."""
    path = folder / f"{name}.yaml"
    path.write_text(f"healthcast: 1\nname: {name}\nextends: {extends}\nhorizon: 2022\n",
                    encoding="utf-8")
    return path


def write_manifest(folder, body):
    path = folder / "batch.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def healthcast(*args, **kwargs):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=300,
                          **kwargs)


def assert_same_file(a, b):
    """Every variable and root attribute equal, bit for bit (NaN equal to NaN)."""
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        assert sorted(fa.keys()) == sorted(fb.keys())
        for key in fa:
            x, y = fa[key][()], fb[key][()]
            assert x.dtype == y.dtype and x.shape == y.shape, key
            if x.dtype.kind == "f":
                assert np.array_equal(x.view(np.uint64 if x.itemsize == 8 else np.uint32),
                                      y.view(np.uint64 if y.itemsize == 8 else np.uint32)), key
            else:
                assert np.array_equal(x, y), key
        keys = set(fa.attrs) - WRITTEN_WHEN
        assert keys == set(fb.attrs) - WRITTEN_WHEN
        for key in keys:
            assert np.array_equal(np.asarray(fa.attrs[key]), np.asarray(fb.attrs[key])), key


# -- the manifest ------------------------------------------------------------------------------

def test_a_manifest_expands_into_scenario_unit_draw_tasks(tmp_path):
    short_scenario(tmp_path, "a")
    short_scenario(tmp_path, "b")
    manifest = write_manifest(tmp_path, """
scenarios: [a.yaml, b.yaml]
units: ["410212", {counties_of: "410200"}, "330100"]
draws: 10
seed: 3
chunk: 4
units_per_task: 4
""")
    m = read_manifest(manifest)
    # Xiangfu first, then the other eight of Kaifeng's nine (no repeat), then Hangzhou.
    assert m.units == ("410212", "410202", "410203", "410204", "410205", "410221", "410222",
                       "410223", "410225", "330100")
    # 10 units in groups of 4 -> 3 groups; draws 0-3, 4-7, 8-9 -> 3 chunks; 2 scenarios.
    tasks = m.tasks()
    assert len(tasks) == 2 * 3 * 3
    assert [(t.first, t.last) for t in tasks[:3]] == [(0, 4), (4, 8), (8, 10)]
    assert tasks[3].units == ("410205", "410221", "410222", "410223")
    assert tasks[8].units == ("410225", "330100")
    assert {t.seed for t in tasks} == {3} and {t.draws for t in tasks} == {10}
    assert len({t.key for t in tasks}) == len(tasks)
    # Keys sort in task order (the merge order).
    assert sorted(t.key for t in tasks[:9]) == [t.key for t in tasks[:9]]


def test_zhejiangs_counties_and_all_counties(tmp_path):
    short_scenario(tmp_path, "a")
    m = read_manifest(write_manifest(tmp_path, "scenarios: [a.yaml]\nunits: "
                                               "[{counties_of: \"330000\"}]\ndraws: 1\n"))
    # Zhejiang: 37 districts, 20 county-level cities and 33 counties in 2020.
    assert len(m.units) == 90 and len(m.tasks()) == 90
    everything = read_manifest(write_manifest(tmp_path, "scenarios: [a.yaml]\n"
                                                        "units: [all_counties]\ndraws: 1\n"))
    assert len(everything.units) == 2943  # docs/places.md: 2,943 counties and districts


@pytest.mark.parametrize("body, line, field, words", [
    ("scenarios: [a.yaml]\nunits: [\"410212\"]\ndraws: -1\n", 3, "draws", "minimum"),
    ("scenarios: [a.yaml]\nunits:\n  - \"410212\"\n  - 41021\ndraws: 2\n", 4, "units.1",
     "not a unit"),
    ("scenarios: [a.yaml]\nunits: [\"999999\"]\ndraws: 2\n", 2, "units.0", "not a unit"),
    ("scenarios: [a.yaml, missing.yaml]\nunits: [\"410212\"]\ndraws: 2\n", 1, "scenarios.1",
     "no scenario file"),
    ("scenarios: [a.yaml, a.yaml]\nunits: [\"410212\"]\ndraws: 2\n", 1, "scenarios.1",
     "two scenarios are named"),
    ("scenarios: [a.yaml]\nunits: [\"410212\"]\ndraws: 2\nchunks: 3\n", 1, None,
     "'chunks' was unexpected"),
])
def test_a_bad_manifest_names_its_line_and_field(tmp_path, body, line, field, words):
    short_scenario(tmp_path, "a")
    with pytest.raises(hc.ScenarioError) as caught:
        read_manifest(write_manifest(tmp_path, body))
    error = caught.value
    assert error.file == str(tmp_path / "batch.yaml")
    assert error.line == line and error.field == field
    assert words in str(error)


# -- running on Dask ---------------------------------------------------------------------------

UNITS = ["410202", "410203", "410212", "410225"]
QUOTED = ", ".join(f'"{u}"' for u in UNITS)
DRAWS = 6


def small_batch(folder, scenario):
    return write_manifest(folder, f"scenarios: [{scenario}]\nunits: [{QUOTED}]\n"
                                  f"draws: {DRAWS}\nseed: 5\nchunk: 2\n")


def whole_run(scenario, out):
    """The run the batch splits up, in one engine call: the reference for the merged file."""
    result = healthcast("run", scenario, "--draws", DRAWS, "--seed", 5, "--units",
                        ",".join(UNITS), "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    return out


def start_batch(manifest, out, *args):
    # A session of its own, so that the whole batch (client, nannies, workers) can be killed.
    return subprocess.Popen([BIN, "batch", manifest, "-o", out, "--no-progress", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def wait_for(condition, seconds=120):
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_a_worker_killed_mid_task_changes_nothing(tmp_path):
    scenario = short_scenario(tmp_path)
    out = tmp_path / "out"
    process = start_batch(small_batch(tmp_path, scenario), out, "--workers", "2")
    # The first task a worker starts: kill that worker (SIGKILL, no clean-up) while it runs.
    wait_for(lambda: any((out / "running").glob("*.json")))
    marker = next((out / "running").glob("*.json"))
    pid = int(json.loads(marker.read_text())["pid"])
    os.kill(pid, signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    assert stdout.split() == [str(out / "short.h5")]
    assert len(list((out / "tasks").glob("*.h5"))) == len(UNITS) * DRAWS // 2
    assert not list((out / "failed").iterdir())
    assert_same_file(out / "short.h5", whole_run(scenario, tmp_path / "whole.h5"))
    # The status of a finished batch: every task done.
    status = healthcast("batch", "status", out)
    assert status.returncode == 0, status.stderr
    assert status.stdout.split()[5:] == ["short", "12", "0", "0", "0"]


def test_a_stopped_batch_resumes_retries_failures_and_refuses_changed_inputs(scenario_copy,
                                                                            tmp_path):
    scenario = short_scenario(tmp_path, extends=scenario_copy)
    manifest = small_batch(tmp_path, scenario)
    out = tmp_path / "out"
    process = start_batch(manifest, out, "--workers", "1")
    wait_for(lambda: len(list((out / "tasks").glob("*.h5"))) >= 2)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    finished = len(list((out / "tasks").glob("*.h5")))
    assert 2 <= finished < 12
    status = healthcast("batch", "status", out)
    assert status.stdout.split()[5:7] == ["short", str(finished)]

    # One unfinished task cannot write its file (a folder is in the way): it fails every
    # attempt, the others finish, the batch says so and exits 1, and its error is kept.
    blocked = [t.key for t in read_manifest(manifest).tasks()
               if not (out / "tasks" / f"{t.key}.h5").exists()][-1]
    (out / "tasks" / f"{blocked}.h5" / "in_the_way").mkdir(parents=True)
    resumed = healthcast("batch", manifest, "-o", out, "--workers", "2", "--no-progress")
    assert resumed.returncode == 1
    assert f"{11 - finished} tasks run, {finished} already done, 1 failed" in resumed.stderr
    assert (out / "failed" / f"{blocked}.txt").read_text().count("IsADirectoryError") == 4
    assert not (out / "short.h5").exists()
    status = healthcast("batch", "status", out)
    assert status.stdout.split()[5:] == ["short", "11", "0", "1", "0"]

    # Out of the way, the rerun runs only that task and merges.
    (out / "tasks" / f"{blocked}.h5" / "in_the_way").rmdir()
    (out / "tasks" / f"{blocked}.h5").rmdir()
    resumed = healthcast("batch", manifest, "-o", out, "--workers", "1", "--no-progress")
    assert resumed.returncode == 0, resumed.stderr
    assert "1 tasks run, 11 already done, 0 failed" in resumed.stderr
    assert not list((out / "failed").iterdir())
    assert_same_file(out / "short.h5", whole_run(scenario, tmp_path / "whole.h5"))

    # One number of an input file changes: the batch is no longer the one in OUTDIR.
    srb = scenario_copy.parent.parent / "data" / "china" / "sex_ratio_at_birth.csv"
    srb.write_text(srb.read_text().replace("2021,1.104", "2021,1.105"))
    refused = healthcast("batch", manifest, "-o", out, "--no-progress")
    assert refused.returncode == 2
    assert "sex_ratio_at_birth.csv changed" in refused.stderr and "--force" in refused.stderr


def test_results_follow_cf_and_open_lazily_with_dask(tmp_path):
    path = whole_run(short_scenario(tmp_path), tmp_path / "run.h5")
    with h5py.File(path, "r") as f:
        assert f.attrs["Conventions"] == "CF-1.8"
        units = {f[k].attrs["units"] for k in f if "units" in f[k].attrs}
    units = {u.decode() if isinstance(u, bytes) else u for u in units}
    assert {"1", "year", "years", "1e-3", "1e-5", "percent"} <= units
    # Every unit parses with UDUNITS-2 itself (Debian's udunits-bin), not a list of ours.
    for unit in units:
        parsed = subprocess.run(["udunits2", "-H", unit, "-W", ""], capture_output=True,
                                text=True)
        assert parsed.returncode == 0 and "recognize" not in parsed.stdout + parsed.stderr, unit
    xr = pytest.importorskip("xarray")
    import dask.array

    with xr.open_dataset(path, engine="h5netcdf", chunks={}) as ds:
        population = ds["population"]
        assert isinstance(population.data, dask.array.Array)
        assert population.attrs["units_label"] == "persons"
        one = population.sel(region=UNITS[2], sex="total", year=2022).values
    with h5py.File(path, "r") as f:
        expected = f["population"][2, 2, 2, :]  # year 2022, the third unit, total
    assert np.array_equal(one, expected)

"""Monte Carlo draws (MODEL.md section 6) through the command line: draw j depends only on
(seed, j), results do not depend on the number of threads, the file holds summaries of the
draws (and every draw on request), and targets carry the probability of being met."""

import os
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")

HORIZON = 2030  # eleven projected years keep the runs short


def short_scenario(folder, targets="", horizon=HORIZON):
    """The reference scenario cut at `horizon`, with optional targets, in `folder`."""
    path = folder / "short.yaml"
    path.write_text(
        f"healthcast: 1\nname: short\ntitle: Reference to {horizon}\n"
        f"extends: {SOURCE / 'scenarios' / 'china_reference.yaml'}\nhorizon: {horizon}\n"
        + targets)
    return path


def run(scenario, output, *options):
    result = subprocess.run([BIN, "run", scenario, "-o", output, "-q", *map(str, options)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return output


def variables(path):
    with h5py.File(path, "r") as f:
        return {k: f[k][()] for k in f if isinstance(f[k], h5py.Dataset)
                and f[k].dtype.kind == "f"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Six kept draws with 1 and 2 threads, and three draws of the same seed."""
    folder = tmp_path_factory.mktemp("draws")
    scenario = short_scenario(folder)
    return {
        "one_thread": run(scenario, folder / "t1.h5", "--draws", 6, "--seed", 7,
                          "--threads", 1, "--keep-draws"),
        "two_threads": run(scenario, folder / "t2.h5", "--draws", 6, "--seed", 7,
                           "--threads", 2, "--keep-draws"),
        "three": run(scenario, folder / "three.h5", "--draws", 3, "--seed", 7, "--keep-draws"),
        "other_seed": run(scenario, folder / "seed8.h5", "--draws", 3, "--seed", 8,
                          "--keep-draws"),
        "central": run(scenario, folder / "central.h5"),
    }


def test_results_are_bitwise_identical_with_one_and_two_threads(runs):
    one, two = variables(runs["one_thread"]), variables(runs["two_threads"])
    assert one.keys() == two.keys()
    assert "life_expectancy_draws" in one and "life_expectancy_summary" in one
    for name in one:
        np.testing.assert_array_equal(one[name], two[name], err_msg=name)


def test_draw_j_depends_only_on_seed_and_j(runs):
    six, three = variables(runs["one_thread"]), variables(runs["three"])
    for name in ("life_expectancy_draws", "deaths_by_cause_draws", "population_draws"):
        np.testing.assert_array_equal(six[name][:3], three[name], err_msg=name)
    other = variables(runs["other_seed"])
    assert not np.array_equal(other["life_expectancy_draws"], three["life_expectancy_draws"])


def test_draws_differ_from_each_other_and_keep_the_central_run(runs):
    drawn, central = variables(runs["one_thread"]), variables(runs["central"])
    e0 = drawn["life_expectancy_draws"][:, -1, 0, 2, 0]  # 2030, both sexes, age 0
    assert np.ptp(e0) > 0.05  # Lee-Carter paths and health inputs move e0 by tenths of a year
    assert np.all(np.abs(e0 - central["life_expectancy"][-1, 0, 2, 0]) < 3.0)
    # The plain variables are the central run, with or without draws.
    for name in ("life_expectancy", "deaths_by_cause", "population", "prevalence"):
        np.testing.assert_array_equal(drawn[name], central[name], err_msg=name)


def test_summaries_are_the_statistics_of_the_draws(runs):
    """With six draws the streaming quantiles are still exact (numpy's 'linear' quantiles)."""
    ds = variables(runs["one_thread"])
    with h5py.File(runs["one_thread"], "r") as f:
        labels = [s.decode() if isinstance(s, bytes) else s for s in f["statistic"][()]]
    assert labels == ["mean", "median", "lower_95", "upper_95"]
    for name in ("life_expectancy", "deaths_by_cause", "smoking_prevalence_15plus"):
        draws, summary = ds[name + "_draws"], ds[name + "_summary"]
        np.testing.assert_allclose(summary[0], draws.mean(axis=0), rtol=1e-12, atol=1e-12)
        for i, q in ((1, 0.5), (2, 0.025), (3, 0.975)):
            np.testing.assert_allclose(summary[i], np.quantile(draws, q, axis=0),
                                       rtol=1e-12, atol=1e-12, err_msg=f"{name} q={q}")


def test_targets_get_the_share_of_draws_that_meet_them(tmp_path):
    """Healthy life expectancy (no official series: judged on the model) >= its central 2030
    value is met in some draws and not in others; the probability is the share of kept draws
    whose 2030 value, rounded to the target's two decimals, reaches it (the same precision rule
    as the central verdict)."""
    central = variables(run(short_scenario(tmp_path), tmp_path / "c.h5"))
    goal = round(float(central["healthy_life_expectancy"][-1, 0, 2, 0]), 2)
    scenario = short_scenario(tmp_path, f"targets:\n  - indicator: healthy_life_expectancy\n"
                              f"    year: {HORIZON}\n    comparator: '>='\n    value: {goal:.2f}\n")
    out = run(scenario, tmp_path / "t.h5", "--draws", 8, "--seed", 3, "--keep-draws")
    ds = variables(out)
    hle = ds["healthy_life_expectancy_draws"][:, -1, 0, 2, 0]
    expected = np.mean(np.round(hle, 2) >= goal)
    assert 0.0 < expected < 1.0
    assert ds["target_probability"][0] == pytest.approx(expected, abs=1e-12)


def test_monitored_targets_keep_their_own_probability(tmp_path):
    """Draws judge modelled targets only: a monitored indicator with two observations has no
    interval, so its target's probability stays unknown however many draws agree on it."""
    (tmp_path / "literacy.csv").write_text("year,value\n2015,10\n2019,20\n")
    scenario = short_scenario(tmp_path, f"""monitored:
  - indicator: health_literacy
    unit: percent
    history: literacy.csv
    trend: linear
targets:
  - indicator: health_literacy
    year: {HORIZON}
    comparator: '>='
    value: 30
  - indicator: life_expectancy
    year: {HORIZON}
    comparator: '>='
    value: 50
""")
    ds = variables(run(scenario, tmp_path / "t.h5", "--draws", 3, "--seed", 3))
    assert ds["target_met"].tolist() == [1.0, 1.0]
    assert np.isnan(ds["target_probability"][0])
    assert ds["target_probability"][1] == 1.0


def peak_kib(*args):
    """Peak resident memory of one command, in KiB."""
    process = subprocess.Popen([BIN, *map(str, args)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    assert process.returncode == 0, args
    return usage.ru_maxrss


def test_memory_does_not_grow_with_draws_when_draws_are_not_kept(tmp_path):
    scenario = short_scenario(tmp_path)
    few = peak_kib("run", scenario, "-o", tmp_path / "few.h5", "-q", "--draws", 4, "--threads", 1)
    many = peak_kib("run", scenario, "-o", tmp_path / "many.h5", "-q", "--draws", 40,
                    "--threads", 1)
    # 36 more draws of ~125,000 values (1 MB) each would add ~36 MB if they were held.
    assert many - few < 8 * 1024, (few, many)


def test_keep_draws_without_draws_is_bad_input(tmp_path):
    result = subprocess.run([BIN, "run", short_scenario(tmp_path), "-o", tmp_path / "x.h5",
                             "--keep-draws"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "--draws" in result.stderr
    assert not (tmp_path / "x.h5").exists()


def test_several_scenarios_run_side_by_side_as_they_would_alone(tmp_path):
    first = short_scenario(tmp_path)
    second = tmp_path / "other.yaml"
    second.write_text(first.read_text().replace("name: short", "name: other")
                      .replace(f"horizon: {HORIZON}", "horizon: 2025"))
    result = subprocess.run([BIN, "run", first, second, "--threads", "2"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    together = {name: variables(tmp_path / "results" / f"{name}.h5")
                for name in ("short", "other")}
    alone = {"short": variables(run(first, tmp_path / "alone_short.h5")),
             "other": variables(run(second, tmp_path / "alone_other.h5"))}
    assert together["other"]["population"].shape[0] == 6  # 2020-2025
    for name in together:
        for variable in ("population", "deaths_by_cause", "life_expectancy"):
            np.testing.assert_array_equal(together[name][variable], alone[name][variable])


def test_one_output_file_for_several_scenarios_is_bad_input(tmp_path):
    first = short_scenario(tmp_path)
    result = subprocess.run([BIN, "run", first, first, "-o", tmp_path / "x.h5"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "-o names one file" in result.stderr

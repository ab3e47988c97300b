"""The Python API (healthcast package): scenarios, runs, results, files, errors."""

import gc
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

import healthcast as hc

SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
REFERENCE = SOURCE / "scenarios" / "china_reference.yaml"


@pytest.fixture(scope="module")
def short_run():
    scenario = hc.load_scenario(REFERENCE)
    scenario.horizon = 2030  # a short run keeps the suite fast
    return hc.run(scenario, progress=False)


@pytest.fixture()
def scenario_copy(tmp_path):
    """The reference scenario and its data in a scratch folder, to be broken by a test."""
    shutil.copytree(SOURCE / "data" / "china", tmp_path / "data" / "china")
    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "scenarios" / "s.yaml"
    shutil.copy(REFERENCE, path)
    return path


def test_to_xarray_equals_the_saved_file_opened_by_xarray(short_run, tmp_path):
    path = short_run.save(tmp_path / "out.h5")
    assert path == tmp_path / "out.h5" and short_run.path == path
    in_memory = short_run.to_xarray()
    with xr.open_dataset(path, engine="h5netcdf") as on_disk:
        on_disk = on_disk.load()
    xr.testing.assert_equal(in_memory, on_disk)
    # Identical, attributes included, but for the time of writing, which the results have only
    # once written.
    assert "creation_time" not in in_memory.attrs
    in_memory.attrs["creation_time"] = on_disk.attrs["creation_time"]
    xr.testing.assert_identical(in_memory, on_disk)
    # The file read back by the C++ reader is identical too.
    xr.testing.assert_identical(hc.open(path).to_xarray(), on_disk)


def test_to_xarray_has_the_layout_of_the_file(short_run):
    ds = short_run.to_xarray()
    assert list(ds.dims)[:4] == ["year", "region", "sex", "age"]
    assert ds["population"].dims == ("year", "region", "sex", "age")
    assert ds["year"].values.tolist() == list(range(2020, 2031))
    assert ds["sex"].values.tolist() == ["female", "male", "total"]
    assert ds["population"].attrs["units"] == "1"  # CF; the words in units_label
    assert ds["population"].attrs["units_label"] == "persons"
    assert ds.attrs["scenario_name"] == "china_reference"
    ds["population"][:] = 0  # a copy: editing it leaves the results alone
    assert short_run.to_xarray()["population"].sum() > 1e9


def test_indicators_are_a_tidy_table_of_the_results(short_run):
    table = short_run.indicators()
    assert list(table.columns) == ["region", "sex", "year", "indicator", "value", "units"]
    assert set(table["indicator"]) == {
        "life_expectancy_at_birth", "life_expectancy_at_65", "infant_mortality",
        "under5_mortality", "population", "births", "deaths"}
    ds = short_run.to_xarray()

    def value(indicator, year, sex="total"):
        row = table.query("indicator == @indicator and year == @year and sex == @sex")
        assert len(row) == 1
        return float(row["value"].iloc[0])

    e = ds["life_expectancy"].sel(region="china", sex="female", year=2025)
    assert value("life_expectancy_at_birth", 2025, "female") == float(e.sel(age=0))
    assert value("life_expectancy_at_65", 2025, "female") == float(e.sel(age=65))
    pop = float(ds["population"].sel(region="china", sex="total", year=2020).sum())
    assert value("population", 2020) == pytest.approx(pop, rel=1e-12)
    # The 2020 census (1,409.78 million on 1 November) moved to 1 January 2020.
    assert abs(value("population", 2020) / 1.409778724e9 - 1) < 0.003
    assert 5 < value("infant_mortality", 2020) < 10


def test_arrays_keep_the_results_alive(short_run):
    results = hc.run(REFERENCE, progress=False)
    view = results._dataset.values("population")
    assert not view.flags.writeable
    del results
    gc.collect()
    assert view.sum() > 1e9


def test_several_scenarios_give_a_list(tmp_path):
    first = hc.load_scenario(REFERENCE)
    first.horizon = 2022
    second = first.copy()
    second.name, second.horizon = "shorter", 2021
    runs = hc.run([first, second], progress=False)
    assert [r.name for r in runs] == ["china_reference", "shorter"]
    assert [r.to_xarray().sizes["year"] for r in runs] == [3, 2]


def test_draws_give_summaries_and_kept_draws_in_python():
    scenario = hc.load_scenario(REFERENCE)
    scenario.horizon = 2022
    one = hc.run(scenario, draws=3, seed=2, threads=1, keep_draws=True, progress=False)
    two = hc.run(scenario, draws=3, seed=2, threads=2, keep_draws=True, progress=False)
    a, b = one.to_xarray(), two.to_xarray()
    assert list(a["statistic"].values) == ["mean", "median", "lower_95", "upper_95"]
    assert a["life_expectancy_draws"].dims[0] == "draw" and a.sizes["draw"] == 3
    xr.testing.assert_identical(a, b)  # any number of threads gives the same numbers
    e0 = a["life_expectancy_draws"].sel(year=2022, sex="total", age=0)
    assert float(a["life_expectancy_summary"].sel(statistic="mean", year=2022, sex="total",
                                                  age=0)) == pytest.approx(float(e0.mean()))


def test_run_arguments_out_of_range_raise_value_error():
    with pytest.raises(ValueError, match="draws"):
        hc.run(REFERENCE, draws=-1)
    with pytest.raises(ValueError, match="threads"):
        hc.run(REFERENCE, threads=0)
    with pytest.raises(ValueError, match="keep_draws"):
        hc.run(REFERENCE, keep_draws=True)


def test_unknown_keyword_arguments_raise_type_error():
    with pytest.raises(TypeError):
        hc.run(REFERENCE, draw=10)
    with pytest.raises(TypeError):
        hc.life_table([0.01, 0.2], sexes="female")
    with pytest.raises(TypeError):
        hc.load_scenario(REFERENCE, strict=True)


def test_a_progress_bar_is_shown_for_long_runs(monkeypatch, capsys):
    from healthcast import runs

    monkeypatch.setattr(runs, "PROGRESS_DELAY_SECONDS", 0.0)
    scenario = hc.load_scenario(REFERENCE)
    scenario.horizon = 2023
    hc.run(scenario)
    assert "region-years" in capsys.readouterr().err
    hc.run(scenario, progress=False)
    assert capsys.readouterr().err == ""


def test_scenario_errors_carry_file_line_and_field(scenario_copy):
    text = scenario_copy.read_text().replace("horizon: 2050", "horizen: 2050")
    scenario_copy.write_text(text)
    line = text.splitlines().index("horizen: 2050") + 1
    with pytest.raises(hc.ScenarioError) as caught:
        hc.load_scenario(scenario_copy)
    error = caught.value
    assert isinstance(error, hc.HealthcastError) and isinstance(error, ValueError)
    assert Path(error.file).name == "s.yaml"
    assert (error.line, error.column) == (line, 1)
    assert "did you mean 'horizon'" in str(error)


def test_errors_in_input_files_name_the_data_file(scenario_copy, tmp_path):
    rates = tmp_path / "data" / "china" / "mortality_history.csv"
    lines = rates.read_text().splitlines()
    target = next(i for i, l in enumerate(lines) if l.startswith("2015,2019,female,60,"))
    lines[target] = "2015,2019,female,60,-0.001"
    rates.write_text("\n".join(lines) + "\n")
    with pytest.raises(hc.ScenarioError) as caught:
        hc.run(scenario_copy, progress=False)
    assert Path(caught.value.file).name == "mortality_history.csv"
    assert caught.value.line == target + 1
    assert caught.value.field == "mx"


def test_an_edited_scenario_is_checked_by_the_engine():
    scenario = hc.load_scenario(REFERENCE)
    scenario.horizon = 2010
    with pytest.raises(hc.ScenarioError) as caught:
        hc.run(scenario, progress=False)
    assert caught.value.field == "horizon"
    assert "allowed: 2020 to" in str(caught.value)


def test_scenario_saved_elsewhere_still_finds_its_inputs(tmp_path):
    scenario = hc.load_scenario(REFERENCE)
    scenario.horizon = 2025
    scenario.title = "China, to 2025 / 中国"
    saved = scenario.save(tmp_path / "deeper" / "folder" / "mine.yaml")
    assert scenario.path == saved
    data = yaml.safe_load(saved.read_text(encoding="utf-8"))
    population = data["inputs"]["population"]
    assert not os.path.isabs(population)
    assert (saved.parent / population).resolve() == (
        SOURCE / "data" / "china" / "population_2020.csv").resolve()
    again = hc.load_scenario(saved)  # the C++ reader checks every input exists
    assert (again.horizon, again.title) == (2025, "China, to 2025 / 中国")
    assert hc.run(again, progress=False).to_xarray().sizes["year"] == 6


def test_sections_not_modelled_yet_survive_a_round_trip(tmp_path):
    data = yaml.safe_load(REFERENCE.read_text())
    data["targets"] = [{"indicator": "life_expectancy", "year": 2030, "value": 79.0}]
    scenario = hc.Scenario(data, path=REFERENCE)
    scenario["interventions"] = [{"name": "less salt", "start": 2025}]
    saved = scenario.save(tmp_path / "s.yaml")
    back = yaml.safe_load(saved.read_text())
    assert back["targets"] == data["targets"]
    assert back["interventions"] == [{"name": "less salt", "start": 2025}]
    assert list(back)[0] == "healthcast"  # key order kept


def test_open_rejects_a_file_that_is_not_a_results_file(tmp_path):
    other = tmp_path / "other.h5"
    other.write_bytes(b"not hdf5 at all")
    with pytest.raises(hc.ResultsFileError, match="other.h5"):
        hc.open(other)
    with pytest.raises(hc.ResultsFileError):
        hc.open(tmp_path / "missing.h5")


def test_a_failed_save_raises_and_leaves_nothing(short_run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(hc.HealthcastError):
        short_run.save(blocker / "sub" / "out.h5")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]

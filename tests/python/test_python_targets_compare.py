"""Results.targets() (the plan's targets stored in a run) and healthcast.compare (a scenario
against its reference), checked against the command line and against sums by hand."""

import io
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import healthcast as hc

SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SHENYANG = SOURCE / "scenarios" / "plans" / "shenyang.yaml"
REFERENCE = SOURCE / "scenarios" / "china_reference.yaml"
BIN = os.environ.get("HEALTHCAST_BIN")
# Statuses as `healthcast targets` prints them (English, Chinese).
STATUS_WORDS = {"met": ("met", "达标"), "not_met": ("not met", "未达标"),
                "observed_met": ("observed met", "观测已达标"),
                "observed_not_met": ("observed not met", "观测未达标"),
                "no_data": ("no data", "无数据"), "not_comparable": ("not comparable", "不可比"),
                "set_by_lever": ("set by lever", "由措施设定"),
                "before_projection": ("before projection", "早于预测起点"),
                "after_horizon": ("after horizon", "晚于预测终点"), "no_value": ("no value", "无值")}
COLUMNS = ["plan", "indicator", "year", "sex", "comparator", "target", "unit", "precision",
           "modelled", "judged", "gap", "status", "probability", "first_year_met",
           "official_year", "official_value", "start_year", "start_value", "modelled_change",
           "convention", "baseline_year", "baseline_value", "proxy", "basis", "text_zh",
           "text_en"]


@pytest.fixture(scope="module")
def shenyang():
    return hc.run(SHENYANG, progress=False)


@pytest.fixture(scope="module")
def reference_at_shenyang():
    """The reference on the plan's census unit and horizon, so that counts compare."""
    scenario = hc.load_scenario(REFERENCE)
    scenario.horizon = 2030
    scenario["regions"] = [{"name": "shenyang", "unit": "210100"}]
    return hc.run(scenario, progress=False)


def test_targets_are_the_table_stored_in_the_run(shenyang):
    table = shenyang.targets()
    assert list(table.columns) == COLUMNS
    assert len(table) == 16 and set(table["plan"]) == {"shenyang"}
    assert table["year"].dtype == np.int64 and str(table["first_year_met"].dtype) == "Int64"
    e0 = table.set_index("indicator").loc["life_expectancy"]
    assert (e0["year"], e0["comparator"], e0["target"], e0["unit"]) == (2030, ">=", 82.09,
                                                                       "years")
    assert e0["text_zh"] == "人均预期寿命达到82.09岁"
    # The modelled value is the run's own life expectancy at birth in 2030; the judged value is
    # the last official (national) value carried forward by the modelled difference since then.
    ds = shenyang.to_xarray()
    e0_model = ds["life_expectancy"].sel(sex="total", age=0).squeeze()
    assert e0["modelled"] == float(e0_model.sel(year=2030))
    # Shenyang runs on its census unit and has no official series of its own: the national
    # series it inherits is another place's level, so the target is judged on the model's own.
    assert pd.isna(e0["official_year"]) and pd.isna(e0["official_value"])
    assert "no official series of the region's own" in e0["basis"]
    assert e0["judged"] == e0["modelled"]
    # One sign for the gap: still to go is positive.
    assert e0["gap"] == pytest.approx(e0["target"] - e0["judged"], abs=1e-12)
    # Met exactly when the judged value rounded to the plan's two decimals reaches 82.09.
    assert e0["status"] == ("met" if round(e0["judged"], 2) >= 82.09 else "not_met")
    assert (e0["gap"] > 0) == (e0["status"] == "not_met")
    by = table.set_index("indicator")
    # Levers defined as the targets: set by lever, no coin-flip probability.
    for name in ["smoking_prevalence_15plus", "salt_intake"]:
        assert by.loc[name, "status"] == "set_by_lever", name
        assert np.isnan(by.loc[name, "probability"]), name
    assert by.loc["road_traffic_deaths", "status"] == "not_comparable"
    assert set(table["status"]) <= {"met", "not_met", "observed_met", "observed_not_met",
                                    "no_data", "not_comparable", "set_by_lever",
                                    "before_projection", "after_horizon", "no_value"}
    no_data = table[table["status"] == "no_data"]
    assert len(no_data) == 10 and no_data["probability"].isna().all()


def test_a_run_without_targets_gives_an_empty_table_with_the_columns(
        reference_at_shenyang):
    table = reference_at_shenyang.targets()
    assert list(table.columns) == COLUMNS and len(table) == 0


def test_a_run_read_from_its_file_has_the_same_targets(shenyang, tmp_path):
    path = shenyang.save(tmp_path / "shenyang.h5")
    pd.testing.assert_frame_equal(hc.open(path).targets(), shenyang.targets())


@pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")
def test_targets_agree_with_the_command_line(shenyang, tmp_path):
    """`healthcast targets --format csv` is the same table as Results.targets(), column for
    column; the Chinese table names every status and modelled indicator in Chinese."""
    path = tmp_path / "out.h5"
    ran = subprocess.run([BIN, "run", str(SHENYANG), "-o", str(path), "-q"], capture_output=True,
                         text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    printed = subprocess.run([BIN, "targets", str(path), "--format", "csv"], capture_output=True,
                             text=True, timeout=60)
    assert printed.returncode == 0, printed.stderr
    csv = pd.read_csv(io.StringIO(printed.stdout), keep_default_na=False, na_values=[""])
    table = shenyang.targets()
    assert list(csv.columns) == COLUMNS and len(csv) == len(table)
    for column in COLUMNS:
        a, b = csv[column], table[column]
        if b.dtype == object:
            assert [str(x) if not pd.isna(x) else "" for x in a] == list(b), column
        else:
            np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-12,
                                       err_msg=column)
    zh = subprocess.run([BIN, "targets", str(path), "--lang", "zh"], capture_output=True,
                        text=True, timeout=60)
    assert zh.returncode == 0, zh.stderr
    rows = [line for line in zh.stdout.splitlines() if line.startswith("shenyang ")]
    assert len(rows) == len(table)
    for line, (_, row) in zip(rows, table.iterrows()):
        assert " " + STATUS_WORDS[row["status"]][1] in line, line
        if row["indicator"] == "life_expectancy":
            # Short of the target: 差距 (still to go); ahead of it: 超出.
            assert "人均预期寿命" in line and ("差距" if row["gap"] > 0 else "超出") in line
    assert "e-0" not in zh.stdout  # numbers to the target's precision, never 1.762e-07


def test_compare_gives_deaths_averted_and_differences(reference_at_shenyang, shenyang):
    diff = hc.compare(reference_at_shenyang, shenyang)
    assert isinstance(diff, hc.Results) and diff.is_comparison
    assert (diff.name, diff.reference_name) == ("shenyang", "china_reference")
    ds = diff.to_xarray()
    ref = reference_at_shenyang.to_xarray()
    plan = shenyang.to_xarray()
    averted = (ref["deaths"] - plan["deaths"]).sum("age")
    # Sums of about 1e5 deaths a year: round-off is far below 1e-6 persons.
    np.testing.assert_allclose(ds["deaths_averted"].values, averted.values, atol=1e-6)
    np.testing.assert_allclose(ds["cumulative_deaths_averted"].values,
                               averted.cumsum("year").values, atol=1e-5)
    gained = (plan["person_years"] - ref["person_years"]).sum("age")
    np.testing.assert_allclose(ds["life_years_gained"].values, gained.values, atol=1e-5)
    e0 = (plan["life_expectancy"] - ref["life_expectancy"]).sel(age=0)
    np.testing.assert_allclose(ds["life_expectancy_difference"].values, e0.values, atol=1e-12)
    # The plan's levers start in 2021: nothing changes in the base year, deaths fall after.
    total = ds["deaths_averted"].sel(region="shenyang", sex="total")
    assert float(total.sel(year=2020)) == 0.0 and float(total.sel(year=2030)) > 0.0

    table = diff.indicators()
    assert list(table.columns) == ["region", "sex", "year", "indicator", "value", "units"]
    row = table.query("indicator == 'cumulative_deaths_averted' and year == 2030 and "
                      "sex == 'total'")
    assert float(row["value"].iloc[0]) == pytest.approx(float(averted.sel(
        sex="total").sum("year").squeeze()), abs=1e-4)
    assert len(diff.targets()) == 0


def test_compare_takes_paths_and_lists(reference_at_shenyang, shenyang, tmp_path):
    ref_path = reference_at_shenyang.save(tmp_path / "ref.h5")
    plan_path = shenyang.save(tmp_path / "plan.h5")
    from_files = hc.compare(ref_path, plan_path)
    in_memory = hc.compare(reference_at_shenyang, shenyang)
    np.testing.assert_array_equal(from_files.to_xarray()["deaths_averted"].values,
                                  in_memory.to_xarray()["deaths_averted"].values)
    several = hc.compare(ref_path, [shenyang, plan_path])
    assert [d.name for d in several] == ["shenyang", "shenyang"]
    # A comparison saves and opens like any results file.
    saved = hc.open(in_memory.save(tmp_path / "diff.h5"))
    assert saved.is_comparison and saved.reference_name == "china_reference"


def test_runs_of_different_years_do_not_compare(shenyang):
    with pytest.raises(hc.HealthcastError, match="differ in their 'year' values"):
        hc.compare(hc.run(REFERENCE, progress=False), shenyang)
    with pytest.raises(TypeError):
        hc.compare(shenyang, shenyang, by="year")

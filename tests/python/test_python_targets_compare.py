"""Results.targets() (the plan's targets stored in a run) and healthcast.compare (a scenario
against its reference), checked against the command line and against sums by hand."""

import os
import re
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
COLUMNS = ["plan", "indicator", "year", "sex", "comparator", "target", "unit", "projected",
           "judged", "gap", "status", "first_year_met", "probability", "basis", "text_zh",
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
    # The projected value is the run's own life expectancy at birth in 2030.
    ds = shenyang.to_xarray()
    assert e0["projected"] == float(ds["life_expectancy"].sel(year=2030, sex="total",
                                                               age=0).squeeze())
    assert e0["gap"] == pytest.approx(e0["judged"] - e0["target"], abs=1e-12)
    salt = table.set_index("indicator").loc["salt_intake"]
    base = float(ds["salt_intake"].sel(year=2020, sex="total").squeeze())
    assert salt["judged"] == pytest.approx(salt["projected"] / base - 1, rel=1e-12)
    assert set(table["status"]) <= {"met", "not met", "before the projection",
                                    "after the horizon", "no value"}
    met = table[table["status"] == "met"]
    assert len(met) and (met["first_year_met"] <= met["year"]).all()


def test_a_run_without_targets_gives_an_empty_table_with_the_columns(
        reference_at_shenyang):
    table = reference_at_shenyang.targets()
    assert list(table.columns) == COLUMNS and len(table) == 0


def test_a_run_read_from_its_file_has_the_same_targets(shenyang, tmp_path):
    path = shenyang.save(tmp_path / "shenyang.h5")
    pd.testing.assert_frame_equal(hc.open(path).targets(), shenyang.targets())


@pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_targets_agree_with_the_command_line(shenyang, tmp_path, lang):
    path = tmp_path / "out.h5"
    ran = subprocess.run([BIN, "run", str(SHENYANG), "-o", str(path), "-q"], capture_output=True,
                         text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    printed = subprocess.run([BIN, "targets", str(path), "--lang", lang], capture_output=True,
                             text=True, timeout=60)
    assert printed.returncode == 0, printed.stderr
    rows = [line for line in printed.stdout.splitlines()[1:]
            if line.startswith("shenyang ")]
    table = shenyang.targets()
    assert len(rows) == len(table)
    for line, (_, row) in zip(rows, table.iterrows()):
        plan, indicator, year = line.split()[:3]
        assert (plan, indicator, int(year)) == (row["plan"], row["indicator"], row["year"])
        # ... status [(p=...)] first-year words: cut the words, then read from the right.
        words = row[f"text_{lang}"] or row["unit"]
        head = line[:line.rindex(words)].rstrip()
        head, first = head.rsplit(" ", 1)
        expected_first = "-" if pd.isna(row["first_year_met"]) else str(row["first_year_met"])
        assert first == expected_first, line
        head = re.sub(r" \(p=[0-9.]+\)$", "", head.rstrip())
        assert head.endswith(" " + row["status"]), line
        # The token before the status is the gap (a number or '-'), so 'met' is not 'not met'.
        before = head[:-len(row["status"])].split()[-1]
        assert re.fullmatch(r"-|[-+0-9.e]+", before), line


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
